"""A pseudo-terminal for tests: runs argv under a pty and relays it.

stdin: JSON lines, {"w": "text"} (typed into the terminal) or {"resize": [rows, cols]} (the window size; the program
gets SIGWINCH). stdout: the terminal's bytes as they come. When the program exits: "PTY-EXIT <code>" on stderr.
The window starts at 30 rows, 100 columns.
"""
import fcntl, json, os, pty, select, struct, sys, termios

def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
set_size(fd, 30, 100)
buf = b''
stdin_open = True
while True:
    fds = [fd] + ([0] if stdin_open else [])
    r, _, _ = select.select(fds, [], [], 0.5)
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    if 0 in r:
        chunk = os.read(0, 65536)
        if not chunk:
            stdin_open = False
            continue
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            if not line.strip():
                continue
            msg = json.loads(line)
            if 'w' in msg:
                os.write(fd, msg['w'].encode())
            elif 'resize' in msg:
                set_size(fd, msg['resize'][0], msg['resize'][1])
_, status = os.waitpid(pid, 0)
sys.stderr.write('PTY-EXIT %d\n' % os.waitstatus_to_exitcode(status))
sys.stderr.flush()
