/*
 * completion.c -- grokx completion bash|zsh|fish: a completion script
 * written from the commands' own option tables (opts.h) and the format
 * registry, so a new option or format completes without a line here.
 * Options complete by name, their values by kind (files, the formats as a
 * comma-separated list, fixed words), operands as files (an index's
 * query words as nothing).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_opt completion_opts[] = {
    {"help", 'h', NULL, NULL, "this text"},
    {NULL, 0, NULL, NULL, NULL}};

const cli_command completion_command = {
    "completion",
    "usage: grokx completion bash|zsh|fish\n"
    "\n"
    "Print a completion script for the shell: commands, options, formats and\n"
    "file arguments. Load it at once with\n"
    "  source <(grokx completion bash)        (bash; zsh the same with zsh)\n"
    "  grokx completion fish | source         (fish)\n"
    "or install it where the shell looks (make install does):\n"
    "  bash: $PREFIX/share/bash-completion/completions/grokx\n"
    "  zsh:  $PREFIX/share/zsh/site-functions/_grokx\n"
    "  fish: $PREFIX/share/fish/vendor_completions.d/grokx.fish\n",
    completion_opts, NULL, "bash zsh fish", "print a shell completion script (bash, zsh, fish)"};

/* The first line of an option's help, up to a ';' or a registry tag:
 * a short description for zsh and fish. */
static void
short_help(const char *help, char *buf, size_t n)
{
    size_t k = 0;
    for (; *help && *help != '\n' && *help != ';' && *help != '{' && k + 1 < n; help++)
        if (*help != '\'' && *help != '[' && *help != ']' && *help != '\\' && *help != '"' &&
            *help != '`' && *help != '$')
            buf[k++] = *help;
    while (k && (buf[k - 1] == ' ' || buf[k - 1] == ':' || buf[k - 1] == '('))
        k--;
    buf[k] = 0;
}

/* ---- bash ------------------------------------------------------------------ */

static void
bash_script(const cli_command *const *cmds, size_t n, const char *formats)
{
    size_t c;
    const cli_opt *o;
    printf("# bash completion for grokx, written by `grokx completion bash`\n"
           "# (source <(grokx completion bash), or install it as\n"
           "# share/bash-completion/completions/grokx)\n"
           "_grokx_formats='%s'\n"
           "_grokx_files() {\n"
           "    compopt -o filenames 2>/dev/null\n"
           "    local IFS=$'\\n'\n"
           "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
           "}\n"
           "# a comma-separated list: complete the word after the last comma,\n"
           "# with the words not in the list yet\n"
           "_grokx_list() {\n"
           "    local pre= last=$cur w left=\n"
           "    if [[ $cur == *,* ]]; then pre=${cur%%,*},; last=${cur##*,}; fi\n"
           "    for w in $1; do [[ ,$pre == *,$w,* ]] || left+=\" $w\"; done\n"
           "    compopt -o nospace 2>/dev/null\n"
           "    COMPREPLY=($(compgen -P \"$pre\" -W \"$left\" -- \"$last\"))\n"
           "}\n"
           "# an option as written (a unique prefix of a long one, as the parser\n"
           "# takes it) to its full name among the options that take a value\n"
           "_grokx_long() {\n"
           "    local t hit= n=0\n"
           "    [[ $1 == --?* && $takes != *\" $1 \"* ]] || { echo \"$1\"; return; }\n"
           "    for t in $takes; do [[ $t == \"$1\"* ]] && { hit=$t; ((n++)); }; done\n"
           "    ((n == 1)) && echo \"$hit\" || echo \"$1\"\n"
           "}\n"
           "_grokx() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev= opt= cmd takes i w operands=0\n"
           "    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    if ((COMP_CWORD == 1)); then\n"
           "        COMPREPLY=($(compgen -W '",
           formats);
    for (c = 0; c < n; c++)
        printf("%s ", cmds[c]->name);
    printf("--help --version' -- \"$cur\"))\n"
           "        return\n"
           "    fi\n"
           "    cmd=${COMP_WORDS[1]}\n"
           "    case $cmd in\n");
    for (c = 0; c < n; c++) {
        printf("    %s) takes=' ", cmds[c]->name);
        for (o = cmds[c]->opts; o->name; o++)
            if (o->value) {
                if (o->key < 256)
                    printf("-%c ", o->key);
                printf("--%s ", o->name);
            }
        printf("' ;;\n");
    }
    printf("    *) return ;;\n"
           "    esac\n"
           "    # the operands before this word (an option's value is none; bash\n"
           "    # splits --opt=value into three words); after -- only operands\n"
           "    local dd=0\n"
           "    for ((i = 2; i < COMP_CWORD; i++)); do\n"
           "        w=${COMP_WORDS[i]}\n"
           "        if ((dd)); then ((operands++)); continue; fi\n"
           "        case $w in\n"
           "        --) dd=1 ;;\n"
           "        -*) if [[ ${COMP_WORDS[i+1]} == = ]]; then ((i += 2))\n"
           "            elif [[ $takes == *\" $(_grokx_long \"$w\") \"* ]]; then ((i++))\n"
           "            elif [[ $w == -[!-]?* && $takes == *\" -${w: -1} \"* ]]; then ((i++)); fi ;;\n"
           "        *) ((operands++)) ;;\n"
           "        esac\n"
           "    done\n"
           "    # bash splits --opt=value at '=': the option is the word before it\n"
           "    if ((dd)); then :\n"
           "    elif [[ $cur == = ]]; then opt=$(_grokx_long \"$prev\"); cur=\n"
           "    elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then opt=$(_grokx_long \"${COMP_WORDS[COMP_CWORD-2]}\")\n"
           "    elif [[ $prev == -* && $takes == *\" $(_grokx_long \"$prev\") \"* ]]; then opt=$(_grokx_long \"$prev\")\n"
           "    # bundled short options: the last one takes the value (-qf md)\n"
           "    elif [[ $prev == -[!-]?* && $takes == *\" -${prev: -1} \"* ]]; then opt=-${prev: -1}\n"
           "    fi\n"
           "    if [[ -n $opt ]]; then\n"
           "        case $cmd:$opt in\n");
    for (c = 0; c < n; c++)
        for (o = cmds[c]->opts; o->name; o++) {
            if (!o->value)
                continue;
            printf("        %s:--%s", cmds[c]->name, o->name);
            if (o->key < 256)
                printf(" | %s:-%c", cmds[c]->name, o->key);
            if (!o->complete)
                printf(") COMPREPLY=() ;;\n");
            else if (!strcmp(o->complete, "@files"))
                printf(") _grokx_files ;;\n");
            else if (!strcmp(o->complete, "@formats"))
                printf(") _grokx_list \"$_grokx_formats\" ;;\n");
            else
                printf(") COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", o->complete);
        }
    printf("        *) COMPREPLY=() ;;\n"
           "        esac\n"
           "        return\n"
           "    fi\n"
           "    if [[ $cur == -* ]] && ((!dd)); then\n"
           "        case $cmd in\n");
    for (c = 0; c < n; c++) {
        printf("        %s) COMPREPLY=($(compgen -W '", cmds[c]->name);
        for (o = cmds[c]->opts; o->name; o++)
            printf("%s--%s", o == cmds[c]->opts ? "" : " ", o->name);
        printf("' -- \"$cur\")) ;;\n");
    }
    printf("        esac\n"
           "        return\n"
           "    fi\n"
           "    case $cmd in\n");
    for (c = 0; c < n; c++) {
        const char *k = cmds[c]->operands;
        printf("    %s) ", cmds[c]->name);
        if (!strcmp(k, "@files"))
            printf("_grokx_files ;;\n");
        else if (!strcmp(k, "@index")) /* the index, then query words */
            printf("((operands == 0)) && _grokx_files ;;\n");
        else
            printf("((operands == 0)) && COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", k);
    }
    printf("    esac\n"
           "}\n"
           "complete -F _grokx grokx\n");
}

/* ---- zsh ------------------------------------------------------------------- */

static void
zsh_script(const cli_command *const *cmds, size_t n, const char *formats)
{
    size_t c;
    const cli_opt *o;
    char h[128];
    printf("#compdef grokx\n"
           "# zsh completion for grokx, written by `grokx completion zsh`\n"
           "# (source <(grokx completion zsh) after compinit, or install it as\n"
           "# share/zsh/site-functions/_grokx)\n"
           "# _arguments knows options by their full names; the parser takes a\n"
           "# unique prefix (--lim=5): the words before the cursor are written out\n"
           "# whole first, so what follows them is counted right. $@: the long options.\n"
           "_grokx_expand_longs() {\n"
           "    local i w m\n"
           "    local -a hit\n"
           "    for (( i = 2; i < CURRENT; i++ )); do\n"
           "        w=${words[i]%%%%=*}\n"
           "        [[ $w == -- ]] && break\n"
           "        [[ $w == --?* ]] || continue\n"
           "        (( ${argv[(Ie)$w]} )) && continue\n"
           "        hit=()\n"
           "        for m in \"$@\"; do [[ $m == ${w}* ]] && hit+=($m); done\n"
           "        (( ${#hit} == 1 )) && words[i]=${hit[1]}${words[i]#$w}\n"
           "    done\n"
           "}\n"
           "_grokx() {\n"
           "    local -a formats commands\n"
           "    formats=(%s)\n"
           "    commands=(\n",
           formats);
    for (c = 0; c < n; c++) {
        short_help(cmds[c]->summary, h, sizeof h);
        printf("        '%s:%s'\n", cmds[c]->name, h);
    }
    printf("    )\n"
           "    if (( CURRENT == 2 )); then\n"
           "        _describe -t commands command commands\n"
           "        compadd -- --help --version\n"
           "        return\n"
           "    fi\n"
           "    local cmd=$words[2]\n"
           "    shift words\n"
           "    (( CURRENT-- ))\n"
           "    case $cmd in\n");
    for (c = 0; c < n; c++) {
        const char *k = cmds[c]->operands;
        printf("    %s)\n        _grokx_expand_longs", cmds[c]->name);
        for (o = cmds[c]->opts; o->name; o++)
            printf(" --%s", o->name);
        printf("\n        _arguments -s -S");
        for (o = cmds[c]->opts; o->name; o++) {
            short_help(o->help, h, sizeof h);
            if (o->key < 256)
                printf(" \\\n            '(-%c --%s)'{-%c%s,--%s%s}'[%s]", o->key, o->name, o->key,
                       o->value ? "+" : "", o->name, o->value ? "=" : "", h);
            else
                printf(" \\\n            '--%s%s[%s]", o->name, o->value ? "=" : "", h);
            if (o->value) {
                printf(":%s:", o->value);
                if (!o->complete)
                    printf(" ");
                else if (!strcmp(o->complete, "@files"))
                    printf("_files");
                else if (!strcmp(o->complete, "@formats"))
                    printf("_sequence compadd - $formats");
                else
                    printf("(%s)", o->complete);
            }
            printf("'");
        }
        if (!strcmp(k, "@files"))
            printf(" \\\n            '*:file:_files'\n");
        else if (!strcmp(k, "@index"))
            printf(" \\\n            '1:index:_files' '*:query word: '\n");
        else
            printf(" \\\n            '1:shell:(%s)'\n", k);
        printf("        ;;\n");
    }
    printf("    esac\n"
           "}\n"
           "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
           "    _grokx \"$@\"\n"
           "else\n"
           "    compdef _grokx grokx\n"
           "fi\n");
}

/* ---- fish ------------------------------------------------------------------ */

static void
fish_script(const cli_command *const *cmds, size_t n, const char *formats)
{
    size_t c;
    const cli_opt *o;
    char h[128];
    printf("# fish completion for grokx, written by `grokx completion fish`\n"
           "# (grokx completion fish | source, or install it as\n"
           "# share/fish/vendor_completions.d/grokx.fish)\n"
           "function __grokx_formats\n"
           "    printf '%%s\\n' %s\n"
           "end\n"
           "# the operands given after the command; $argv: its options that take\n"
           "# a value (the word after one is no operand)\n"
           "function __grokx_operands\n"
           "    set -l i 0; set -l n 0; set -l skip 0; set -l dd 0\n"
           "    for t in (commandline -opc)\n"
           "        set i (math $i + 1)\n"
           "        test $i -le 2; and continue\n"
           "        if test $skip = 1; set skip 0; continue; end\n"
           "        if test $dd = 1; set n (math $n + 1); continue; end\n"
           "        switch $t\n"
           "            case --; set dd 1\n"
           "            case '--*=*'\n"
           "            case '-*'; contains -- $t $argv; and set skip 1\n"
           "            case '*'; set n (math $n + 1)\n"
           "        end\n"
           "    end\n"
           "    echo $n\n"
           "end\n"
           "complete -c grokx -f\n"
           "complete -c grokx -n __fish_use_subcommand -s h -l help -d 'grokx help'\n"
           "complete -c grokx -n __fish_use_subcommand -s V -l version -d 'print the version'\n",
           formats);
    for (c = 0; c < n; c++) {
        const char *name = cmds[c]->name, *k = cmds[c]->operands;
        short_help(cmds[c]->summary, h, sizeof h);
        printf("complete -c grokx -n __fish_use_subcommand -a %s -d '%s'\n", name, h);
        for (o = cmds[c]->opts; o->name; o++) {
            short_help(o->help, h, sizeof h);
            printf("complete -c grokx -n '__fish_seen_subcommand_from %s'", name);
            if (o->key < 256)
                printf(" -s %c", o->key);
            printf(" -l %s", o->name);
            if (o->value) {
                if (!o->complete)
                    printf(" -x");
                else if (!strcmp(o->complete, "@files"))
                    printf(" -r -F");
                else if (!strcmp(o->complete, "@formats"))
                    printf(" -x -a '(__fish_complete_list , __grokx_formats)'");
                else
                    printf(" -x -a '%s'", o->complete);
            }
            printf(" -d '%s'\n", h);
        }
        if (!strcmp(k, "@files"))
            printf("complete -c grokx -n '__fish_seen_subcommand_from %s' -F\n", name);
        else if (!strcmp(k, "@index")) { /* the index, then query words: no files */
            printf("complete -c grokx -n '__fish_seen_subcommand_from %s; and test (__grokx_operands", name);
            for (o = cmds[c]->opts; o->name; o++)
                if (o->value) {
                    if (o->key < 256)
                        printf(" -%c", o->key);
                    printf(" --%s", o->name);
                }
            printf(") = 0' -F\n");
        }
        else
            printf("complete -c grokx -n '__fish_seen_subcommand_from %s' -x -a '%s'\n", name, k);
    }
}

int
cmd_completion(int argc, char **argv, const cli_command *const *cmds, size_t n)
{
    const char *shell = NULL;
    char formats[512];
    cli_parser p;
    int i;
    opt_init(&p, &completion_command, argc, argv);
    while ((i = opt_next(&p)) != OPT_DONE) {
        if (i == 'h')
            return opt_print_help(&completion_command, stdout), EXIT_OK;
        if (i != OPT_OPERAND)
            return EXIT_USAGE;
        if (shell)
            return opt_usage_error(&completion_command, "one shell only");
        shell = p.value;
    }
    if (!shell)
        return opt_usage_error(&completion_command, "SHELL missing (bash, zsh or fish)");
    formats_list(formats, sizeof formats, FORMATS_ALL, " ");
    if (!strcmp(shell, "bash"))
        bash_script(cmds, n, formats);
    else if (!strcmp(shell, "zsh"))
        zsh_script(cmds, n, formats);
    else if (!strcmp(shell, "fish"))
        fish_script(cmds, n, formats);
    else
        return opt_usage_error(&completion_command, "no completion for \"%s\" (bash, zsh or fish)",
                               shell);
    return finish_stdout();
}
