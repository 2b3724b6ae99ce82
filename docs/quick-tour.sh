#!/usr/bin/env bash
# A quick tour of the provider API with curl and a few lines of Node (jose).
# Run from the project folder after `npm ci`:   bash docs/quick-tour.sh
# It starts a throwaway Paydesk on a free port (or uses PAYDESK_URL and
# PAYDESK_DATA_DIR if you already run one), then walks one purchase through.
# A throwaway Paydesk is stopped, and its data folder removed, when the script
# ends: done, failed or interrupted (Ctrl-C). Yours is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

json() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const v=JSON.parse(s);const r=process.argv[1].split(".").reduce((o,k)=>o?.[k],v);if(r===undefined){console.error("missing "+process.argv[1]+" in "+s);process.exit(1)}console.log(typeof r==="string"?r:JSON.stringify(r))})' "$1"; }

SERVER_PID=""
OWN_DATA_DIR=""
# Only what this script started: its server (waited for, so it has closed its files) and its folder.
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -n "$OWN_DATA_DIR" ]]; then rm -rf "$OWN_DATA_DIR"; fi
}
trap cleanup EXIT
# A signal ends the script through exit, so the EXIT trap runs (bash skips it on an untrapped SIGTERM).
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z "${PAYDESK_URL:-}" ]]; then
  OWN_DATA_DIR=$(mktemp -d)
  PAYDESK_DATA_DIR=$OWN_DATA_DIR
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  # node itself (not npx) so that SERVER_PID is the server, and stopping it stops Paydesk.
  node bin/paydesk.js serve --port "$PORT" --data-dir "$PAYDESK_DATA_DIR" > "$PAYDESK_DATA_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  PAYDESK_URL="http://127.0.0.1:$PORT"
  for _ in $(seq 1 100); do grep -q "Paydesk listening" "$PAYDESK_DATA_DIR/server.log" 2>/dev/null && break; sleep 0.1; done
  echo "== A throwaway Paydesk, data in $OWN_DATA_DIR: both go when this script ends"
fi
TOKEN=$(cat "$PAYDESK_DATA_DIR/admin-token")
api() { curl -sS -X "$1" "$PAYDESK_URL$2" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
echo "== Paydesk at $PAYDESK_URL"

echo "== 1. Register a merchant app (the secret is shown this once)"
APP=$(api POST /api/apps '{"name":"Elite Sparkle Pony","homepage":"http://127.0.0.1:7403","contactEmail":"ponies@example.com","postbackURL":"http://127.0.0.1:7403/postback","chargebackURL":"http://127.0.0.1:7403/chargeback"}')
APP_KEY=$(echo "$APP" | json app.key)
APP_SECRET=$(echo "$APP" | json secret.secret)
echo "app key: $APP_KEY"

echo "== 2. Sign a payment request on the merchant's server (HS256, jose)"
JWT=$(APP_KEY=$APP_KEY APP_SECRET=$APP_SECRET node --input-type=module -e '
import { SignJWT } from "jose";
const now = Math.floor(Date.now() / 1000);
const jwt = await new SignJWT({
  iss: process.env.APP_KEY, aud: "paydesk", typ: "mozilla/payments/pay/v1", iat: now, exp: now + 600, jti: crypto.randomUUID(),
  request: { id: "pony-1", name: "Elite Sparkle Pony", description: "The shiniest pony of all!", price: "1.99", currency: "USD", productData: "order=1001" },
}).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(process.env.APP_SECRET));
console.log(jwt);')
echo "${JWT:0:40}..."

echo "== 3. The merchant page posts it to /v1/pay: a pending purchase"
PURCHASE=$(curl -sS -X POST "$PAYDESK_URL/v1/pay" -H 'Content-Type: application/json' -d "{\"jwts\":[\"$JWT\"]}")
PURCHASE_ID=$(echo "$PURCHASE" | json id)
echo "purchase $PURCHASE_ID, status $(echo "$PURCHASE" | json status), confirmation code $(echo "$PURCHASE" | json code)"

echo "== 4. A buyer: create, sign in to the wallet, preauthorize a test card, set a PIN"
BUYER_ID=$(api POST /api/buyers '{"email":"ana@example.com","name":"Ana"}' | json id)
api POST /api/wallet/session "{\"buyerId\":\"$BUYER_ID\"}" > /dev/null
CARD=$(api POST "/api/buyers/$BUYER_ID/payment-methods" '{"card":{"number":"4242 4242 4242 4242","expMonth":12,"expYear":'"$(( $(date +%Y) + 3 ))"',"cvc":"123"}}')
echo "card: $(echo "$CARD" | json brand) ending $(echo "$CARD" | json last4) (the number itself is not stored)"
api PUT "/api/buyers/$BUYER_ID/pin" '{"pin":"2468"}' > /dev/null
echo "PIN set"

echo "== 5. Confirm in the wallet with the PIN, bound to the purchase that was shown"
DIGEST=$(api GET "/api/purchases/$PURCHASE_ID" | json digest)
DONE=$(api POST "/api/purchases/$PURCHASE_ID/confirm" "{\"pin\":\"2468\",\"digest\":\"$DIGEST\"}")
TXN=$(echo "$DONE" | json transactionID)
echo "status $(echo "$DONE" | json status), transaction $TXN"

echo "== 6. The completed transaction in GET /api/transactions"
api GET "/api/transactions?q=$TXN" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{for(const t of JSON.parse(s).items)console.log(`${t.transactionID}  ${t.status}  ${t.price.display} ${t.price.currency}  ${t.item.name}  ${t.appName}  ${t.buyerEmail}`)})'
