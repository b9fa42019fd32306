pragma circom 2.1.0;

include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/poseidon.circom";

// The message a signer signs for one compute request: M = Poseidon(user, provider, nonce, fee, requestHash).
// Kept apart from the signature check so a batch template can hash and range-check receipts the same way.
template ReceiptMessage() {
    signal input user;
    signal input provider;
    signal input nonce;
    signal input fee;
    signal input requestHash;
    signal output out;

    // Addresses are 160 bits on chain. Without the bound a field element and the same element plus
    // k * 2^160 would be different signed messages that a contract truncating to address reads as one,
    // so the proof must name exactly one user and one provider.
    component userBits = Num2Bits(160);
    userBits.in <== user;
    component providerBits = Num2Bits(160);
    providerBits.in <== provider;

    // Settlement orders receipts by nonce and the contract keeps it as a uint64. circomlib's LessThan(n)
    // is only sound for inputs below 2^n, so an unbounded nonce could wrap a comparison in the batch
    // circuit and let one receipt be settled twice.
    component nonceBits = Num2Bits(64);
    nonceBits.in <== nonce;

    // Fees are summed in the field by the batch circuit. With every fee below 2^128 a sum of up to 2^125
    // receipts cannot wrap around the modulus, so the total the contract pays is the true total.
    component feeBits = Num2Bits(128);
    feeBits.in <== fee;

    // requestHash is taken as any field element: it only identifies the request, its value is not
    // compared or summed. The signer must reduce a 256-bit hash below the modulus before signing.
    component hash = Poseidon(5);
    hash.inputs[0] <== user;
    hash.inputs[1] <== provider;
    hash.inputs[2] <== nonce;
    hash.inputs[3] <== fee;
    hash.inputs[4] <== requestHash;
    out <== hash.out;
}

// One receipt signed with EdDSA-Poseidon on Baby Jubjub by the key (Ax, Ay).
// Public: user, provider, nonce, fee, requestHash, Ax, Ay (in this order). Private: R8x, R8y, S.
// A proof says that the holder of (Ax, Ay) signed this receipt, not whose key that is: the contract must
// compare (Ax, Ay) with the key registered for the party being charged. The message holds no chain id
// or contract address: a signed receipt is valid wherever the same user, provider and key meet, and
// settlement relies on its per-(user, provider) nonce to pay it once.
template SignedReceipt() {
    signal input user;
    signal input provider;
    signal input nonce;
    signal input fee;
    signal input requestHash;
    signal input Ax;
    signal input Ay;
    signal input R8x;
    signal input R8y;
    signal input S;

    component message = ReceiptMessage();
    message.user <== user;
    message.provider <== provider;
    message.nonce <== nonce;
    message.fee <== fee;
    message.requestHash <== requestHash;

    // circomlib's verifier does not check that A and R8 lie on the curve, and its addition formulas are
    // only complete for curve points. Checking both (3 constraints each) means a proof always speaks
    // about real curve points, so no off-curve exceptional case has to be ruled out by argument.
    // The verifier already refuses S >= subgroup order (no S + l malleability) and a small-order A
    // (8 * A = identity would make any signature verify).
    component aOnCurve = BabyCheck();
    aOnCurve.x <== Ax;
    aOnCurve.y <== Ay;
    component rOnCurve = BabyCheck();
    rOnCurve.x <== R8x;
    rOnCurve.y <== R8y;

    // enabled is a constant 1, never an input: with enabled = 0 the verifier accepts any signature.
    component signature = EdDSAPoseidonVerifier();
    signature.enabled <== 1;
    signature.Ax <== Ax;
    signature.Ay <== Ay;
    signature.S <== S;
    signature.R8x <== R8x;
    signature.R8y <== R8y;
    signature.M <== message.out;
}
