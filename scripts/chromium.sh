#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the dashboard's browser tests (idempotent).
#   scripts/chromium.sh    -> installs `chromium` when /usr/bin/chromium is missing, prints its version
# The browser tests drive /usr/bin/chromium through Playwright; nothing is downloaded at test time
# (no `playwright install`). DEPLOYMIND_CHROMIUM overrides the executable the tests start.
source "$(dirname "$0")/lib.sh"

apt_install chromium fonts-dejavu-core
[ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is missing"
/usr/bin/chromium --version 2>/dev/null || die "/usr/bin/chromium does not start; try: /usr/bin/chromium --headless --no-sandbox --version"
