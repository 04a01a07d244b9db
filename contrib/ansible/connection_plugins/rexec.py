# SPDX-License-Identifier: ISC
# rexec connection plugin for Ansible: run tasks through rexecd.
#
# It calls the rexec binary, as the ssh plugin calls ssh, rather than
# speaking the protocol itself: one implementation of the framing, the
# token rules, signal forwarding and the exit status, tested with the
# daemon, and rexec starts in about a millisecond.  Files are streamed
# through the command channel (cat on the other side) from and to open
# files: nothing holds a whole file in memory.
#
# Install: put this directory's connection_plugins/ next to the playbook,
# or set ANSIBLE_CONNECTION_PLUGINS (or connection_plugins in ansible.cfg)
# to it; then ansible_connection=rexec.

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = '''
    name: rexec
    short_description: run tasks through rexecd with the rexec client
    description:
        - Runs commands and copies files through rexecd, the remote command
          execution daemon, by calling the rexec binary.
        - Supports pipelining; files are streamed, never held in memory.
    author: rexec developers
    extends_documentation_fragment:
        - connection_pipelining
    notes:
        - "rexec's own failures (cannot resolve or connect, refused) exit 255
          with one line C(rexec: HOST: reason); these become unreachable
          hosts. A command that itself exits 255 does not print that line."
        - There is no terminal, so a become method that prompts for a
          password cannot answer it; passwordless sudo works, and so does
          asking rexecd for the account (remote_user, the daemon's users).
    options:
      host:
        description: Host name or address rexecd listens on.
        default: inventory_hostname
        vars:
          - name: inventory_hostname
          - name: ansible_host
          - name: ansible_rexec_host
          - name: delegated_vars['ansible_host']
      port:
        description: rexecd's port (rexec's default, 5120, when unset).
        type: int
        env:
          - name: ANSIBLE_REMOTE_PORT
        ini:
          - section: defaults
            key: remote_port
        vars:
          - name: ansible_port
          - name: ansible_rexec_port
        keyword:
          - name: port
      remote_user:
        description:
          - Account to run as (rexec -l); the daemon's C(users) key must
            allow it. Unset, the daemon's default account.
        env:
          - name: ANSIBLE_REMOTE_USER
        ini:
          - section: defaults
            key: remote_user
        vars:
          - name: ansible_user
          - name: ansible_rexec_user
        cli:
          - name: user
        keyword:
          - name: remote_user
      token_file:
        description: File holding rexecd's shared token (rexec -T).
        env:
          - name: REXEC_TOKEN_FILE
        ini:
          - section: rexec_connection
            key: token_file
        vars:
          - name: ansible_rexec_token_file
      timeout:
        description: Seconds to wait for the connection (rexec --connect-timeout).
        type: int
        default: 10
        env:
          - name: ANSIBLE_TIMEOUT
        ini:
          - section: defaults
            key: timeout
        vars:
          - name: ansible_rexec_timeout
        cli:
          - name: timeout
        keyword:
          - name: timeout
      rexec_executable:
        description: The rexec client to run.
        default: rexec
        env:
          - name: ANSIBLE_REXEC_EXECUTABLE
        ini:
          - section: rexec_connection
            key: rexec_executable
        vars:
          - name: ansible_rexec_executable
'''

import os
import shlex
import subprocess

from ansible.errors import (AnsibleConnectionFailure, AnsibleError,
                            AnsibleFileNotFound)
from ansible.module_utils._text import to_bytes, to_native, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

# rexec's exit status when rexec itself failed (not the command).
REXEC_FAILED = 255


class Connection(ConnectionBase):
    ''' rexec based connections '''

    transport = 'rexec'
    has_pipelining = True

    def _connect(self):
        # Each command is its own connection: nothing to keep open.
        if not self._connected:
            display.vvv(u"REXEC CONNECTION FOR USER: {0}".format(
                self.get_option('remote_user')),
                host=self.get_option('host'))
            self._connected = True
        return self

    def _rexec(self, remote_cmd, no_stdin):
        argv = [self.get_option('rexec_executable'),
                '--connect-timeout', str(self.get_option('timeout'))]
        if no_stdin:
            argv.append('-n')
        if self.get_option('port'):
            argv += ['-p', str(self.get_option('port'))]
        if self.get_option('remote_user'):
            argv += ['-l', self.get_option('remote_user')]
        if self.get_option('token_file'):
            argv += ['-T', os.path.expanduser(self.get_option('token_file'))]
        argv += ['--', self.get_option('host'), remote_cmd]
        return [to_bytes(a, errors='surrogate_or_strict') for a in argv]

    def _run(self, remote_cmd, stdin, stdout, in_data=None):
        argv = self._rexec(remote_cmd, stdin is subprocess.DEVNULL)
        display.vvv(u"REXEC: {0}".format(
            u' '.join(shlex.quote(to_text(a)) for a in argv)),
            host=self.get_option('host'))
        try:
            p = subprocess.Popen(argv, stdin=stdin, stdout=stdout,
                                 stderr=subprocess.PIPE)
        except OSError as e:
            raise AnsibleError("cannot run %s: %s" % (
                to_native(argv[0]), to_native(e)))
        out, err = p.communicate(in_data)
        self._check_reachable(p.returncode, err)
        return p.returncode, out, err

    def _check_reachable(self, rc, err):
        prefix = b'rexec: '
        if rc == REXEC_FAILED and err.startswith(prefix) and \
                err.count(b'\n') <= 1:
            raise AnsibleConnectionFailure(to_native(err.strip()))

    def exec_command(self, cmd, in_data=None, sudoable=True):
        ''' run a command on the remote host, in_data as its stdin '''
        super(Connection, self).exec_command(cmd, in_data=in_data,
                                             sudoable=sudoable)
        stdin = subprocess.PIPE if in_data is not None else subprocess.DEVNULL
        return self._run(cmd, stdin, subprocess.PIPE, in_data)

    def put_file(self, in_path, out_path):
        ''' stream a local file to the remote host '''
        super(Connection, self).put_file(in_path, out_path)
        display.vvv(u"PUT {0} TO {1}".format(in_path, out_path),
                    host=self.get_option('host'))
        b_in = to_bytes(in_path, errors='surrogate_or_strict')
        if not os.path.exists(b_in):
            raise AnsibleFileNotFound(
                "file or module does not exist: %s" % to_native(in_path))
        cmd = 'cat > %s' % shlex.quote(to_text(out_path))
        with open(b_in, 'rb') as f:
            rc, _, err = self._run(cmd, f, subprocess.DEVNULL)
        if rc != 0:
            raise AnsibleError("failed to transfer file to %s: %s" % (
                to_native(out_path), to_native(err)))

    def fetch_file(self, in_path, out_path):
        ''' stream a remote file to a local one '''
        super(Connection, self).fetch_file(in_path, out_path)
        display.vvv(u"FETCH {0} TO {1}".format(in_path, out_path),
                    host=self.get_option('host'))
        cmd = 'cat %s' % shlex.quote(to_text(in_path))
        b_out = to_bytes(out_path, errors='surrogate_or_strict')
        with open(b_out, 'wb') as f:
            rc, _, err = self._run(cmd, subprocess.DEVNULL, f)
        if rc != 0:
            raise AnsibleError("failed to fetch %s: %s" % (
                to_native(in_path), to_native(err)))

    def reset(self):
        pass

    def close(self):
        self._connected = False
