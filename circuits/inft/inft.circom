pragma circom 2.1.0;

include "circomlib/circuits/babyjub.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/escalarmulany.circom";
include "circomlib/circuits/escalarmulfix.circom";
include "circomlib/circuits/poseidon.circom";

// Poseidon-cipher encryption exactly as @zk-kit/poseidon-cipher's poseidonEncrypt (the MACI / Dmitry
// Khovratovich sponge): state S = (0, key[0], key[1], nonce + length * 2^128); for each block of three
// message elements (zero padded) permute S, add the block to S[1..3] and release S[1..3]; permute once
// more and release S[1] as the authentication element. Width 4 (t = 4), circomlib's Poseidon constants.
template PoseidonCipherEncrypt(length) {
    var blocks = (length + 2) \ 3;
    signal input message[length];
    signal input key[2];
    signal input nonce;
    signal output ciphertext[blocks * 3 + 1];

    // The scheme separates the nonce from the length by 2^128; a larger nonce could collide with another
    // (nonce, length) pair, so the TypeScript implementation refuses it and so does the circuit.
    component nonceBits = Num2Bits(128);
    nonceBits.in <== nonce;

    var padded[blocks * 3];
    for (var i = 0; i < blocks * 3; i++) {
        padded[i] = 0;
    }

    component perm[blocks + 1];
    for (var b = 0; b <= blocks; b++) {
        perm[b] = PoseidonEx(3, 4);
        if (b == 0) {
            perm[b].initialState <== 0;
            perm[b].inputs[0] <== key[0];
            perm[b].inputs[1] <== key[1];
            perm[b].inputs[2] <== nonce + length * (1 << 128);
        } else {
            // The capacity element carries over; the rate elements are the ciphertext just released.
            perm[b].initialState <== perm[b - 1].out[0];
            for (var j = 0; j < 3; j++) {
                perm[b].inputs[j] <== ciphertext[(b - 1) * 3 + j];
            }
        }
        if (b < blocks) {
            for (var j = 0; j < 3; j++) {
                var k = b * 3 + j;
                if (k < length) {
                    ciphertext[k] <== perm[b].out[j + 1] + message[k];
                } else {
                    ciphertext[k] <== perm[b].out[j + 1];
                }
            }
        }
    }
    ciphertext[blocks * 3] <== perm[blocks].out[1];
}

// The key transfer of an ERC-7857 agent in zero-knowledge mode. Public, in this order: keyCommitment,
// receiverX, receiverY, ephemeralX, ephemeralY, nonce, ciphertext[4]. Private: dataKey[2], ephemeralSecret.
// A proof says: the sender knows a data key whose Poseidon commitment is the one the token stores, and
// the ciphertext is that key encrypted with the Poseidon cipher under the ECDH key
// ephemeralSecret * receiver, whose ephemeral public key is ephemeralSecret * Base8. The receiver, holding
// the secret scalar r of receiver = r * Base8, recomputes the same key as r * ephemeral and decrypts.
// Nothing here binds the proof to a token, a nonce of the NFT or a deadline: the contract checks those
// through the receiver's signed consent, which names the receiver key and the data hash.
template InftKeyTransfer() {
    signal input keyCommitment;
    signal input receiverX;
    signal input receiverY;
    signal input ephemeralX;
    signal input ephemeralY;
    signal input nonce;
    signal input ciphertext[4];
    signal input dataKey[2];
    signal input ephemeralSecret;

    // 1. The key is the one the token commits to. Poseidon is collision resistant, so no other key opens
    //    the commitment; a data key of two random field elements keeps the commitment hiding without a salt.
    component commitment = Poseidon(2);
    commitment.inputs[0] <== dataKey[0];
    commitment.inputs[1] <== dataKey[1];
    commitment.out === keyCommitment;

    // 2. The receiver key is a curve point: the Edwards formulas below are only sound for curve points.
    //    It is not checked to lie in the prime-order subgroup (a second scalar multiplication); a key
    //    outside it can only be named by a receiver who signed for it, and only harms that receiver.
    component receiverOnCurve = BabyCheck();
    receiverOnCurve.x <== receiverX;
    receiverOnCurve.y <== receiverY;

    // 3. One scalar, bound to 253 bits, drives both multiplications, so the ephemeral public key and the
    //    shared key come from the same secret.
    component secretBits = Num2Bits(253);
    secretBits.in <== ephemeralSecret;

    var BASE8[2] = [
        5299619240641551281634865583518297030282874472190772894086521144482721001553,
        16950150798460657717958625567821834550301663161624707787222815936182638968203
    ];
    component ephemeral = EscalarMulFix(253, BASE8);
    for (var i = 0; i < 253; i++) {
        ephemeral.e[i] <== secretBits.out[i];
    }
    ephemeral.out[0] === ephemeralX;
    ephemeral.out[1] === ephemeralY;

    component shared = EscalarMulAny(253);
    for (var i = 0; i < 253; i++) {
        shared.e[i] <== secretBits.out[i];
    }
    shared.p[0] <== receiverX;
    shared.p[1] <== receiverY;

    // 4. The sealed key is the cipher of exactly this data key under the shared point (x, y).
    component cipher = PoseidonCipherEncrypt(2);
    cipher.message[0] <== dataKey[0];
    cipher.message[1] <== dataKey[1];
    cipher.key[0] <== shared.out[0];
    cipher.key[1] <== shared.out[1];
    cipher.nonce <== nonce;
    for (var i = 0; i < 4; i++) {
        cipher.ciphertext[i] === ciphertext[i];
    }
}
