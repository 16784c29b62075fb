#!/bin/sh
# grokx completion bash|zsh|fish (issue 29): each script passes its shell's
# syntax check, and completes commands, options, option values and the
# registry's formats (every one the tool lists: a format added to the
# registry completes without a line more) in the shells installed here
# (bash always; zsh and fish from tools/install-deps.sh).
G=${GROKX:-./grokx}
case $G in /*) ;; *) G=$(pwd)/$G ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL completion: $*" >&2; }
for s in bash zsh fish; do
    $G completion $s >"$T/c.$s" 2>"$T/err" && [ -s "$T/c.$s" ] && ok || bad "completion $s: $(cat "$T/err")"
done
$G completion tcsh >/dev/null 2>"$T/err"; [ $? = 64 ] && grep -q "bash, zsh or fish" "$T/err" && ok || bad "completion tcsh"
$G completion >/dev/null 2>&1; [ $? = 64 ] && ok || bad "completion without a shell"
# the formats as convert lists them (from the registry)
fmts=$($G convert -f nope -o - tests/parse/golden/01-minimal/input.json 2>&1 | sed -n 's/.*(available: \(.*\))$/\1/p' | tr -d ',')
[ -n "$fmts" ] && ok || bad "no format list"

bash -n "$T/c.bash" && ok || bad "bash -n"
# complete WORDS...: what bash offers for the last word
cat >"$T/t.bash" <<EOS
source "$T/c.bash"
c() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _grokx; printf '%s\n' "\${COMPREPLY[@]}" | sort | tr '\n' ' '; echo; }
cd "$T"
EOS
want() { # want "WORDS" "EXPECTED" (the sorted completions, space-separated)
    printf 'c %s\n' "$1" >"$T/one.bash"
    got=$(cat "$T/t.bash" "$T/one.bash" | bash 2>&1)
    [ "$got" = "$2 " ] && ok || bad "bash: grokx ${1#grokx } -> '$got', want '$2 '"
}
want "grokx co" "completion convert"
want "grokx con" "convert"
want "grokx ''" "--help --version check completion convert info merge search"
want "grokx convert --fo" "--force --format"
want "grokx convert --bra" "--branches"
want "grokx convert --branches ''" "active all"
want "grokx convert --layout = f" "flat" # bash splits --layout=f at =
want "grokx convert --threads ''" "1 2"
want "grokx search --color ''" "always auto never"
want "grokx search --sender y" "you"
want "grokx info --j" "--json"
want "grokx info --pro" "--progress"
want "grokx search --ma" "--marks"
want "grokx completion ''" "bash fish zsh"
want "grokx convert -f ''" "$(printf '%s\n' $fmts | sort | tr '\n' ' ' | sed 's/ $//')"
want "grokx convert -qf ''" "$(printf '%s\n' $fmts | sort | tr '\n' ' ' | sed 's/ $//')"
want "grokx convert --format md,ht" "md,html"
mkdir -p "$T/exports" && : >"$T/exports/grok-export.zip" && : >"$T/ix.gxi"
want "grokx convert exports/grok" "exports/grok-export.zip"
want "grokx convert -o exports/g" "exports/grok-export.zip"
want "grokx search ix" "ix.gxi"
want "grokx search ix.gxi ix" ""
want "grokx merge -o all.gxi ix" "ix.gxi"
# issue 29: --opt=value is three words to bash, and counted as none of the
# operands; options are not offered after --; a list offers what it lacks;
# a prefix of a long option completes its value; human is a sender
want "grokx search --limit = 5 ix" "ix.gxi"
want "grokx search --limit = 5 ix.gxi ix" ""
want "grokx search --lim 5 ix" "ix.gxi"
want "grokx search -n5 ix" "ix.gxi"
want "grokx convert -- --f" ""
want "grokx convert -- -o exports/g" "exports/grok-export.zip"
want "grokx convert -f md,h" "md,html"
want "grokx convert -f md,m" ""
want "grokx convert --form = m" "md"
want "grokx convert --form m" "md"
want "grokx search --sender h" "human"

if command -v zsh >/dev/null; then
    zsh -n "$T/c.zsh" && ok || bad "zsh -n"
    r=$(HOME=$T zsh -fc "autoload -U compinit; compinit -u -d $T/zcd; source $T/c.zsh; print -- \$_comps[grokx]" 2>&1)
    [ "$r" = _grokx ] && ok || bad "zsh: the script does not register _grokx: $r"
    for f in $fmts; do grep -q "formats=(.*$f" "$T/c.zsh" && ok || bad "zsh: format $f missing"; done
    # _arguments knows only whole names: the words before the cursor are
    # written out whole for it, up to -- (issue 29: --lim=5 ch<TAB> failed)
    grep -q "_grokx_expand_longs.* --limit" "$T/c.zsh" && ok || bad "zsh: search does not expand its prefixes"
    r=$(zsh -fc "source $T/c.zsh 2>/dev/null; words=(search --lim=5 --js ix.gxi --ma , --l -- --l ch); CURRENT=10
        _grokx_expand_longs --limit --json --marks --color --lines; print -r -- \$words" 2>&1)
    [ "$r" = "search --limit=5 --json ix.gxi --marks , --l -- --l ch" ] && ok || bad "zsh: prefixes written out: $r"
else
    echo "completion: zsh not installed: its script is not checked" >&2
fi
if command -v fish >/dev/null; then
    fish -n "$T/c.fish" && ok || bad "fish -n"
    fc() { HOME=$T fish -c "source $T/c.fish; complete -C '$1'" 2>&1 | cut -f1 | sort | tr '\n' ' '; }
    [ "$(fc 'grokx co')" = "completion convert " ] && ok || bad "fish: grokx co -> $(fc 'grokx co')"
    [ "$(fc 'grokx convert --branches ')" = "active all " ] && ok || bad "fish: --branches -> $(fc 'grokx convert --branches ')"
    [ "$(fc 'grokx search --sender g')" = "grok " ] && ok || bad "fish: --sender g -> $(fc 'grokx search --sender g')"
    # the index is a file, the query words after it are not (issue 29)
    fc 'grokx search ' | grep -q "examples/" && ok || bad "fish: search: no index file: $(fc 'grokx search ')"
    fc 'grokx search -n 5 ' | grep -q "examples/" && ok || bad "fish: search -n 5: no index file"
    [ "$(fc 'grokx search ix.gxi ')" = "" ] && ok || bad "fish: files as query words: $(fc 'grokx search ix.gxi ')"
    [ "$(fc 'grokx search -n 5 ix.gxi ')" = "" ] && ok || bad "fish: files as query words after -n 5"
    for f in $fmts; do fc 'grokx convert -f md,' | grep -q "md,$f " && ok || bad "fish: -f md,$f missing"; done
else
    echo "completion: fish not installed: its script is not checked" >&2
fi
echo "completion: $pass passed, $fail failed"
[ $fail = 0 ]
