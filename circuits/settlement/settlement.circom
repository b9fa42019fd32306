pragma circom 2.1.0;

include "../receipt/receipt.circom";
include "circomlib/circuits/comparators.circom";

// A Baby Jubjub curve check that only binds when enabled is 1 (enabled must be boolean).
// Padding entries carry no signature, so their R8 need not be a curve point.
template OnCurveIfEnabled() {
    signal input enabled;
    signal input x;
    signal input y;

    signal x2 <== x * x;
    signal y2 <== y * y;
    signal x2y2 <== x2 * y2;
    // a*x^2 + y^2 = 1 + d*x^2*y^2 with a = 168700, d = 168696 (circomlib's BabyCheck).
    enabled * (168700 * x2 + y2 - 1 - 168696 * x2y2) === 0;
}

// Settles up to N receipts of one (user, provider) pair signed by the key (Ax, Ay).
// Public, in this order: user, provider, Ax, Ay, prevNonce, lastNonce, total.
// Private per entry i: active[i], nonce[i], fee[i], requestHash[i], R8x[i], R8y[i], S[i].
//
// Statement: active is a non-empty prefix of ones; every active entry is a receipt
// ReceiptMessage(user, provider, nonce[i], fee[i], requestHash[i]) signed by (Ax, Ay); the active
// nonces strictly increase and the first is above prevNonce; lastNonce is the nonce of the last active
// entry and total the sum of the active fees.
//
// Padding (active[i] = 0) can neither move lastNonce nor total, whatever its values: lastNonce picks
// exactly one entry, the last active one, and total weights every fee by active[i]. (0G's
// zk-settlement took the nonce of the last slot whatever it held, so zero-fee padding could push a
// pair's nonce anywhere and skip or block later receipts.)
template SettleBatch(N) {
    assert(N >= 1);

    signal input user;
    signal input provider;
    signal input Ax;
    signal input Ay;
    signal input prevNonce;
    signal input lastNonce;
    signal input total;

    signal input active[N];
    signal input nonce[N];
    signal input fee[N];
    signal input requestHash[N];
    signal input R8x[N];
    signal input R8y[N];
    signal input S[N];

    // active is boolean and a prefix: 1...1 0...0, never empty (a settlement without receipts would
    // let a provider move the nonce to any lastNonce for nothing).
    active[0] === 1;
    for (var i = 0; i < N; i++) {
        active[i] * (1 - active[i]) === 0;
        if (i > 0) {
            active[i] * (1 - active[i - 1]) === 0;
        }
    }

    // The contract keeps nonces as uint64. LessThan(64) below is only sound for inputs under 2^64:
    // prevNonce is checked here, every entry's nonce (padding too) in ReceiptMessage.
    component prevBits = Num2Bits(64);
    prevBits.in <== prevNonce;

    // The key is one point for all entries: checked once. The verifier itself refuses a small-order A,
    // and entry 0 is always active so that check always binds.
    component keyOnCurve = BabyCheck();
    keyOnCurve.x <== Ax;
    keyOnCurve.y <== Ay;

    component message[N];
    component rOnCurve[N];
    component signature[N];
    component increasing[N];
    signal lastTerm[N];
    signal feeTerm[N];
    var lastSum = 0;
    var feeSum = 0;
    for (var i = 0; i < N; i++) {
        // Hashes and range-checks every entry: user/provider < 2^160, nonce < 2^64, fee < 2^128.
        message[i] = ReceiptMessage();
        message[i].user <== user;
        message[i].provider <== provider;
        message[i].nonce <== nonce[i];
        message[i].fee <== fee[i];
        message[i].requestHash <== requestHash[i];

        rOnCurve[i] = OnCurveIfEnabled();
        rOnCurve[i].enabled <== active[i];
        rOnCurve[i].x <== R8x[i];
        rOnCurve[i].y <== R8y[i];

        // enabled = active[i], which is boolean: an active entry's signature must verify; a padding
        // entry's is ignored, and padding cannot reach lastNonce or total.
        signature[i] = EdDSAPoseidonVerifier();
        signature[i].enabled <== active[i];
        signature[i].Ax <== Ax;
        signature[i].Ay <== Ay;
        signature[i].S <== S[i];
        signature[i].R8x <== R8x[i];
        signature[i].R8y <== R8y[i];
        signature[i].M <== message[i].out;

        // Both sides are below 2^64, so the comparison is sound for padding too; it only binds when active.
        increasing[i] = LessThan(64);
        increasing[i].in[0] <== i == 0 ? prevNonce : nonce[i - 1];
        increasing[i].in[1] <== nonce[i];
        active[i] * (1 - increasing[i].out) === 0;

        // active[i] - active[i+1] is 1 at the last active entry and 0 everywhere else (prefix).
        var next = i + 1 < N ? active[i + 1] : 0;
        lastTerm[i] <== (active[i] - next) * nonce[i];
        lastSum += lastTerm[i];

        // Every fee is below 2^128, so N of them cannot wrap the field.
        feeTerm[i] <== active[i] * fee[i];
        feeSum += feeTerm[i];
    }
    lastNonce === lastSum;
    total === feeSum;
}
