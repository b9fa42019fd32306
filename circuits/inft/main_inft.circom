pragma circom 2.1.0;

include "inft.circom";

component main {public [keyCommitment, receiverX, receiverY, ephemeralX, ephemeralY, nonce, ciphertext]} = InftKeyTransfer();
