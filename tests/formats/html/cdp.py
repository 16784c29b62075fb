#!/usr/bin/env python3
"""A small Chrome DevTools Protocol client over --remote-debugging-pipe
(no websocket library, no node): start headless Chromium, open pages,
click like a person (real mouse events), and record everything a hostile
file could do: JavaScript dialogs, requests that are not file: loads,
downloads, console messages and uncaught exceptions, new windows.

    with Chrome(profile_dir) as c:
        t = c.open('file:///.../index.html')      # a tab: waits for load
        t.eval('document.title')
        t.click_at(x, y)                           # then t.settle()
        c.dialogs, c.requests, c.console, c.exceptions, c.downloads
"""
import json, os, queue, subprocess, threading, time


class Chrome:
    def __init__(self, profile, log=None, extra=()):
        r1, w1 = os.pipe()  # we write, Chromium reads on fd 3
        r2, w2 = os.pipe()  # Chromium writes on fd 4, we read
        args = ['chromium', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
                '--no-first-run', '--disable-background-networking', '--disable-component-update',
                '--disable-sync', '--disable-extensions', '--hide-scrollbars', '--mute-audio',
                '--user-data-dir=' + profile, '--remote-debugging-pipe'] + list(extra)
        # the pipe must be fds 3 and 4 in Chromium: the shell moves them there
        self.proc = subprocess.Popen(['sh', '-c', 'exec "$@" 3<&%d 4>&%d' % (r1, w2), 'sh'] + args,
                                     pass_fds=(r1, w2), stdin=subprocess.DEVNULL,
                                     stdout=log or subprocess.DEVNULL, stderr=log or subprocess.DEVNULL)
        os.close(r1)
        os.close(w2)
        self.w, self.r = w1, r2
        self.q = queue.Queue()
        self.next_id = 0
        self.replies = {}
        self.dialogs, self.requests, self.console, self.exceptions = [], [], [], []
        self.downloads, self.targets, self.navigations = [], [], []
        self.loaded = set()  # sessions whose main frame fired load
        threading.Thread(target=self._reader, daemon=True).start()
        self.call('Browser.setDownloadBehavior', {'behavior': 'deny', 'eventsEnabled': True})
        self.call('Target.setDiscoverTargets', {'discover': True})

    def _reader(self):
        buf = b''
        while True:
            try:
                d = os.read(self.r, 1 << 16)
            except OSError:
                d = b''
            if not d:
                self.q.put(None)
                return
            buf += d
            while b'\0' in buf:
                m, buf = buf.split(b'\0', 1)
                self.q.put(json.loads(m))

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.call('Browser.close', timeout=5)
            except Exception:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self.w, self.r):
            try:
                os.close(fd)
            except OSError:
                pass

    def _event(self, m):
        meth, p, s = m.get('method'), m.get('params', {}), m.get('sessionId')
        if meth == 'Page.javascriptDialogOpening':
            self.dialogs.append('%s: %s' % (p.get('type'), p.get('message')))
            self.send('Page.handleJavaScriptDialog', {'accept': False}, s)
        elif meth == 'Network.requestWillBeSent':
            u = p['request']['url']
            if not u.startswith(('file:', 'data:', 'about:', 'blob:', 'devtools:', 'chrome')):
                self.requests.append(u)
        elif meth == 'Runtime.consoleAPICalled':
            self.console.append(' '.join(str(a.get('value', a.get('description', ''))) for a in p.get('args', [])))
        elif meth == 'Log.entryAdded':
            e = p['entry']
            self.console.append('%s %s: %s' % (e.get('source'), e.get('level'), e.get('text')))
        elif meth == 'Runtime.exceptionThrown':
            d = p['exceptionDetails']
            self.exceptions.append((d.get('exception') or {}).get('description') or d.get('text'))
        elif meth == 'Browser.downloadWillBegin':
            self.downloads.append(p.get('url'))
        elif meth == 'Page.loadEventFired':
            self.loaded.add(s)
        elif meth == 'Page.frameNavigated' and not p['frame'].get('parentId'):
            self.navigations.append((s, p['frame']['url'], p['frame'].get('mimeType')))
        elif meth == 'Target.targetCreated':
            ti = p['targetInfo']
            if ti['type'] == 'page':
                self.targets.append(ti['targetId'])

    def send(self, method, params=None, session=None):
        self.next_id += 1
        m = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            m['sessionId'] = session
        os.write(self.w, json.dumps(m).encode() + b'\0')
        return self.next_id

    def pump(self, until=None, timeout=10.0):
        """Handle messages until until() is true or timeout passes."""
        end = time.time() + timeout
        while not (until and until()):
            left = end - time.time()
            if left <= 0:
                return False
            try:
                m = self.q.get(timeout=min(left, 0.1))
            except queue.Empty:
                continue
            if m is None:
                raise RuntimeError('Chromium went away')
            if 'id' in m:
                self.replies[m['id']] = m
            else:
                self._event(m)
        return True

    def call(self, method, params=None, session=None, timeout=20.0):
        i = self.send(method, params, session)
        if not self.pump(lambda: i in self.replies, timeout):
            raise RuntimeError('no reply to ' + method)
        r = self.replies.pop(i)
        if 'error' in r:
            raise RuntimeError('%s: %s' % (method, r['error']))
        return r.get('result', {})

    def open(self, url, timeout=15.0):
        t = Tab(self, self.call('Target.createTarget', {'url': 'about:blank'})['targetId'])
        t.goto(url, timeout)
        return t

    def attach(self, target_id):
        return Tab(self, target_id)


class Tab:
    def __init__(self, c, target_id):
        self.c, self.target = c, target_id
        self.s = c.call('Target.attachToTarget', {'targetId': target_id, 'flatten': True})['sessionId']
        for d in ('Page', 'Runtime', 'Network', 'Log'):
            c.call(d + '.enable', session=self.s)

    def goto(self, url, timeout=15.0):
        self.c.loaded.discard(self.s)
        r = self.c.call('Page.navigate', {'url': url}, self.s)
        if r.get('errorText'):
            return r['errorText']  # a download, refused, or not found
        self.c.pump(lambda: self.s in self.c.loaded, timeout)
        return None

    def eval(self, expr):
        r = self.c.call('Runtime.evaluate', {'expression': expr, 'returnByValue': True}, self.s)
        if 'exceptionDetails' in r:
            raise RuntimeError('eval %r: %s' % (expr, r['exceptionDetails']))
        return r['result'].get('value')

    def click_at(self, x, y):
        for kind in ('mouseMoved', 'mousePressed', 'mouseReleased'):
            p = {'type': kind, 'x': x, 'y': y}
            if kind != 'mouseMoved':
                p.update(button='left', clickCount=1)
            self.c.call('Input.dispatchMouseEvent', p, self.s)

    def settle(self, seconds=1.5):
        """Let a click's navigation (if any) happen and load."""
        n = len(self.c.navigations)
        self.c.loaded.discard(self.s)
        self.c.pump(lambda: len(self.c.navigations) > n, seconds)
        if len(self.c.navigations) > n:
            self.c.pump(lambda: self.s in self.c.loaded, 10)
            self.c.pump(None, 0.3)  # a script's late work: timers, beacons
        return self.c.navigations[n:]

    def close(self):
        try:
            self.c.call('Target.closeTarget', {'targetId': self.target}, timeout=5)
        except RuntimeError:
            pass
