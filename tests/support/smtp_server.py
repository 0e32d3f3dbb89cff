"""A real SMTP server for alpha's email tests, built on aiosmtpd.

Usage: smtp_server.py PORT MAILDIR [--starttls CERT KEY] [--auth USER PASSWORD]

Delivers every accepted message into MAILDIR (so a test can read it back), prints "ready" once
it listens on 127.0.0.1:PORT, and runs until killed. With --auth, mail is accepted only after
AUTH PLAIN/LOGIN with the given login; with --starttls, STARTTLS is offered and required.
"""

import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    args = sys.argv[1:]
    port, maildir = int(args[0]), args[1]
    for folder in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(maildir, folder), exist_ok=True)
    options = {}
    if "--starttls" in args:
        i = args.index("--starttls")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args[i + 1], args[i + 2])
        options.update(tls_context=context, require_starttls=True)
    if "--auth" in args:
        i = args.index("--auth")
        user, password = args[i + 1].encode(), args[i + 2].encode()

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == user and data.password == password
            return AuthResult(success=ok, handled=False)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls="--starttls" in args)
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port, server_hostname="localhost", **options)
    controller.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
