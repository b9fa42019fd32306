pragma circom 2.1.0;

include "settlement.circom";

// N = 4 receipts per proof: what the dev ptau (power 17) and a committed zkey of a few MB hold.
// docs/compute-settlement.md says how to build a production N from a larger ptau.
component main {public [user, provider, Ax, Ay, prevNonce, lastNonce, total]} = SettleBatch(4);
