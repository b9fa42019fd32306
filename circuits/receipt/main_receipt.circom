pragma circom 2.1.0;

include "receipt.circom";

component main {public [user, provider, nonce, fee, requestHash, Ax, Ay]} = SignedReceipt();
