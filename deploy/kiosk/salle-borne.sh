#!/bin/sh
# Start the accueil borne: Chromium full screen on the kiosk page, screen never blanks, no way out by touch.
# Run by salle-borne.service inside the kiosk user's X session (see README.md). The profile is ephemeral (made
# at each start, deleted at exit); what Chromium may do is set by the managed policy
# /etc/chromium/policies/managed/salle-borne.json (no developer tools, no downloads, only the borne's address).
set -eu

URL="${SALLE_BORNE_URL:-http://127.0.0.1:8000/borne}"
BASE="${SALLE_BORNE_PROFILE_DIR:-${RUNTIME_DIRECTORY:-${TMPDIR:-/tmp}}}"
PROFILE="$(mktemp -d "$BASE/salle-borne-profile.XXXXXX")"
trap 'rm -rf "$PROFILE"' EXIT INT TERM

# Screen kept on: no screensaver, no power management (X), no console blanking.
if command -v xset >/dev/null 2>&1 && [ -n "${DISPLAY:-}" ]; then
  xset s off || true
  xset s noblank || true
  xset -dpms || true
fi
setterm --blank 0 --powerdown 0 2>/dev/null || true

# Hide the mouse pointer when it does not move (touch screen).
if command -v unclutter >/dev/null 2>&1; then unclutter -idle 1 -root & fi

# Wait for the server (it may start at the same time, on this machine or on the site laptop).
i=0
until curl -fsS -o /dev/null "${URL%/borne}/api/v1/health" 2>/dev/null; do
  i=$((i + 1)); [ "$i" -gt 120 ] && break; sleep 1
done

# The borne's own code (a `kiosk` code of the session), if the installer left it here: the page signs itself in
# from the address's fragment (never sent to the server) and drops it, so a restart needs nobody.
CODE_FILE="${SALLE_BORNE_CODE_FILE:-/etc/salle-borne/code}"
START="$URL"
if [ -r "$CODE_FILE" ]; then
  CODE="$(tr -cd '0-9' < "$CODE_FILE")"
  [ -n "$CODE" ] && START="$URL#code=$CODE"
fi

BROWSER="$(command -v chromium || command -v chromium-browser)"
# Every flag here is one the installed Chromium knows (tests/kiosk/test_launcher.py reads its binary).
"$BROWSER" \
  --kiosk "$START" \
  --user-data-dir="$PROFILE" \
  --noerrdialogs \
  --disable-infobars \
  --disable-pinch \
  --overscroll-history-navigation=0 \
  --disable-features=TranslateUI,OverscrollHistoryNavigation \
  --no-first-run \
  --disable-component-update \
  --disable-background-networking \
  --disable-sync \
  --check-for-update-interval=31536000 \
  --autoplay-policy=no-user-gesture-required \
  --touch-events=enabled \
  --password-store=basic
