import { concat, HDNodeWallet, keccak256, parseEther, toUtf8Bytes, Wallet, type Provider } from "ethers";
import type { Logger } from "../../common/logger";
import { devWallet } from "./nodes";

/** What a funded account keeps beyond what its role needs, for gas. */
const GAS_MARGIN = parseEther("1");

/**
 * The devnet's accounts by role index (0 deploys, 1 is the user's, 2.. run nodes, 30.. are key-only). On the local
 * chain they are hardhat's public dev accounts, funded at genesis. Against an external chain (`--rpc --key`) index 0
 * is the operator's key and the others are derived from it, so a rerun finds the same accounts; the deployer funds
 * each one with what its role needs before the role uses it.
 */
export class DevnetAccounts {
  private readonly seed?: string;
  private deployerWallet?: Wallet;

  constructor(
    private readonly provider: Provider,
    private readonly logger: Logger,
    /** The deployer's key on an external chain; undefined on the local chain. */
    private readonly externalKey?: string,
  ) {
    if (externalKey) this.seed = keccak256(concat([externalKey, toUtf8Bytes("zg devnet accounts")]));
  }

  get external(): boolean {
    return this.externalKey !== undefined;
  }

  /** The role's wallet, connected; key-only roles (executors, oracles) use `.privateKey` and never spend. */
  wallet(index: number): Wallet {
    if (index === 0) return this.deployer();
    const key = this.seed
      ? HDNodeWallet.fromSeed(this.seed).derivePath(`m/44'/60'/0'/0/${index}`).privateKey
      : devWallet(index).privateKey;
    return new Wallet(key, this.provider);
  }

  /** The deployer, one instance so its transactions share one nonce sequence. */
  deployer(): Wallet {
    this.deployerWallet ??= new Wallet(this.externalKey ?? devWallet(0).privateKey, this.provider);
    return this.deployerWallet;
  }

  /** The role's wallet holding at least `amount` plus gas; on an external chain the deployer tops it up. */
  async funded(index: number, amount: bigint): Promise<Wallet> {
    const wallet = this.wallet(index);
    if (!this.external || index === 0) return wallet;
    const balance = await this.provider.getBalance(wallet.address);
    const wanted = amount + GAS_MARGIN;
    if (balance < wanted) {
      const tx = await this.deployer().sendTransaction({ to: wallet.address, value: wanted - balance });
      await tx.wait();
      this.logger.info({ account: wallet.address, role: index, value: (wanted - balance).toString() }, "funded");
    }
    return wallet;
  }
}
