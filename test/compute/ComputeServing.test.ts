import { expect } from "chai";
import { ethers, upgrades } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { parseEther, TypedDataEncoder } from "ethers";
import { computeFixture, makeProvider, MIN_PROVIDER_STAKE } from "./helpers";
import { Mode, SETTLEMENT_TYPES, servingFixture, zkParams } from "./servingHelpers";

const MAX_PRICE = 2n ** 96n - 1n;
const SLASHER_ROLE = ethers.id("SLASHER_ROLE");

/** The provider opted in with the minimum stake, no service yet. */
async function candidateFixture() {
  const f = await computeFixture();
  await makeProvider(f, f.provider);
  return f;
}

/** Two providers with services. */
async function twoProviders() {
  const f = await candidateFixture();
  await makeProvider(f, f.stranger, 1);
  await f.serving.connect(f.provider).registerService(zkParams());
  await f.serving.connect(f.stranger).registerService(zkParams({ model: "second" }));
  return f;
}

describe("ComputeServing", function () {
  describe("initialize", function () {
    it("is deployed through deploy/ with the default parameters and registered as the compute service", async function () {
      const f = await loadFixture(computeFixture);
      expect(await f.serving.ledger()).to.equal(await f.ledger.getAddress());
      expect(await f.serving.staking()).to.equal(await f.staking.getAddress());
      expect(await f.serving.verifier()).to.equal(await f.verifier.getAddress());
      expect(await f.serving.minProviderStake()).to.equal(MIN_PROVIDER_STAKE);
      expect(await f.serving.contractName()).to.equal("ComputeServing");
      expect(await f.serving.version()).to.equal("1.0.0");
      expect(await f.serving.providerCount()).to.equal(0n);
      expect((await f.staking.getService(await f.serving.getAddress())).name).to.equal("compute");
      expect(await f.ledger.hasRole(ethers.id("SETTLER_ROLE"), await f.serving.getAddress())).to.equal(true);
      const domain = await f.serving.eip712Domain();
      expect(domain.name).to.equal("zg ComputeServing");
      expect(domain.version).to.equal("1");
      const args = [
        f.deployer.address,
        f.deployer.address,
        await f.ledger.getAddress(),
        await f.staking.getAddress(),
        await f.verifier.getAddress(),
        1n,
      ] as const;
      await expect(f.serving.initialize(...args)).to.be.revertedWithCustomError(f.serving, "InvalidInitialization");
    });

    it("refuses zero addresses, a verifier without code and a zero minimum stake", async function () {
      const f = await loadFixture(computeFixture);
      const factory = await ethers.getContractFactory("ComputeServing");
      const admin = f.deployer.address;
      const ledger = await f.ledger.getAddress();
      const staking = await f.staking.getAddress();
      const verifier = await f.verifier.getAddress();
      const deploy = (args: unknown[]) => upgrades.deployProxy(factory, args, { kind: "uups" });
      const zero = ethers.ZeroAddress;
      await expect(deploy([admin, admin, zero, staking, verifier, 1]))
        .to.be.revertedWithCustomError(factory, "ComputeServingZeroAddress")
        .withArgs("ledger");
      await expect(deploy([admin, admin, ledger, zero, verifier, 1]))
        .to.be.revertedWithCustomError(factory, "ComputeServingZeroAddress")
        .withArgs("staking");
      await expect(deploy([admin, admin, ledger, staking, zero, 1]))
        .to.be.revertedWithCustomError(factory, "ComputeServingZeroAddress")
        .withArgs("verifier");
      await expect(deploy([admin, admin, ledger, staking, f.user.address, 1]))
        .to.be.revertedWithCustomError(factory, "ComputeServingNotAContract")
        .withArgs(f.user.address);
      await expect(deploy([admin, admin, ledger, staking, verifier, 0]))
        .to.be.revertedWithCustomError(factory, "ComputeServingInvalidParam")
        .withArgs("minProviderStake", 0);
      await expect(deploy([zero, admin, ledger, staking, verifier, 1])).to.be.revertedWithCustomError(
        factory,
        "ProtocolZeroAdmin",
      );
    });
  });

  describe("registerService", function () {
    it("stores the service, lists the provider and emits ServiceRegistered", async function () {
      const f = await loadFixture(candidateFixture);
      const p = zkParams();
      await expect(f.serving.connect(f.provider).registerService(p))
        .to.emit(f.serving, "ServiceRegistered")
        .withArgs(f.provider.address, p.model, p.url, p.inputPrice, p.outputPrice, Mode.Zk, ethers.ZeroAddress);
      const s = await f.serving.getService(f.provider.address);
      expect([s.model, s.url, s.inputPrice, s.outputPrice, s.verifiability, s.teeSigner, s.exists]).to.deep.equal([
        p.model,
        p.url,
        p.inputPrice,
        p.outputPrice,
        BigInt(Mode.Zk),
        ethers.ZeroAddress,
        true,
      ]);
      expect(s.updatedAt).to.equal(BigInt(await time.latest()));
      expect(await f.serving.providerCount()).to.equal(1n);
      expect(await f.serving.providerAt(0)).to.equal(f.provider.address);
    });

    it("takes a Tee service with its signer and the highest prices", async function () {
      const f = await loadFixture(candidateFixture);
      const p = zkParams({
        verifiability: Mode.Tee,
        teeSigner: f.other.address,
        inputPrice: MAX_PRICE,
        outputPrice: 0n,
        model: "m".repeat(128),
        url: "u".repeat(256),
      });
      await f.serving.connect(f.provider).registerService(p);
      const s = await f.serving.getService(f.provider.address);
      expect(s.teeSigner).to.equal(f.other.address);
      expect(s.inputPrice).to.equal(MAX_PRICE);
    });

    it("refuses a provider that is not opted in (stake 0) and one below the minimum", async function () {
      const f = await loadFixture(computeFixture);
      await expect(f.serving.connect(f.provider).registerService(zkParams()))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInsufficientStake")
        .withArgs(f.provider.address, 0, MIN_PROVIDER_STAKE);
      // A validator with less than the minimum, opted in.
      await makeProvider(f, f.stranger, 1, parseEther("50"));
      await expect(f.serving.connect(f.stranger).registerService(zkParams()))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInsufficientStake")
        .withArgs(f.stranger.address, parseEther("50"), MIN_PROVIDER_STAKE);
      // A validator with enough stake that did not opt in.
      await f.staking
        .connect(f.other)
        .registerValidator(ethers.zeroPadValue("0x0bad", 48), "not opted in", 0, 0, 0, { value: MIN_PROVIDER_STAKE });
      await expect(f.serving.connect(f.other).registerService(zkParams()))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInsufficientStake")
        .withArgs(f.other.address, 0, MIN_PROVIDER_STAKE);
      expect(await f.serving.providerCount()).to.equal(0n);
    });

    it("refuses a second registration", async function () {
      const f = await loadFixture(candidateFixture);
      await f.serving.connect(f.provider).registerService(zkParams());
      await expect(f.serving.connect(f.provider).registerService(zkParams({ model: "other" })))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingServiceExists")
        .withArgs(f.provider.address);
      expect((await f.serving.getService(f.provider.address)).model).to.equal("zg-tiny");
      expect(await f.serving.providerCount()).to.equal(1n);
    });

    it("refuses empty or too long strings, prices above MAX_PRICE and a signer that does not fit the mode", async function () {
      const f = await loadFixture(candidateFixture);
      const register = (o: Parameters<typeof zkParams>[0]) =>
        f.serving.connect(f.provider).registerService(zkParams(o));
      const bad = "ComputeServingInvalidString";
      await expect(register({ model: "" }))
        .to.be.revertedWithCustomError(f.serving, bad)
        .withArgs("model", 0);
      await expect(register({ model: "m".repeat(129) }))
        .to.be.revertedWithCustomError(f.serving, bad)
        .withArgs("model", 129);
      await expect(register({ url: "" }))
        .to.be.revertedWithCustomError(f.serving, bad)
        .withArgs("url", 0);
      await expect(register({ url: "u".repeat(257) }))
        .to.be.revertedWithCustomError(f.serving, bad)
        .withArgs("url", 257);
      await expect(register({ inputPrice: MAX_PRICE + 1n }))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidParam")
        .withArgs("inputPrice", MAX_PRICE + 1n);
      await expect(register({ outputPrice: MAX_PRICE + 1n }))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidParam")
        .withArgs("outputPrice", MAX_PRICE + 1n);
      await expect(register({ verifiability: Mode.Tee }))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidTeeSigner")
        .withArgs(Mode.Tee, ethers.ZeroAddress);
      await expect(register({ teeSigner: f.other.address }))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidTeeSigner")
        .withArgs(Mode.Zk, f.other.address);
      expect((await f.serving.getService(f.provider.address)).exists).to.equal(false);
    });

    it("refuses while paused", async function () {
      const f = await loadFixture(candidateFixture);
      await f.serving.pause();
      await expect(f.serving.connect(f.provider).registerService(zkParams())).to.be.revertedWithCustomError(
        f.serving,
        "EnforcedPause",
      );
    });
  });

  describe("updateService", function () {
    it("replaces every field and the timestamp, and emits ServiceUpdated", async function () {
      const f = await loadFixture(servingFixture);
      const p = zkParams({
        model: "zg-small",
        url: "https://p.example",
        inputPrice: 5n,
        outputPrice: 7n,
        verifiability: Mode.Tee,
        teeSigner: f.other.address,
      });
      await time.increase(100);
      await expect(f.serving.connect(f.provider).updateService(p))
        .to.emit(f.serving, "ServiceUpdated")
        .withArgs(f.provider.address, p.model, p.url, 5n, 7n, Mode.Tee, f.other.address);
      const s = await f.serving.getService(f.provider.address);
      expect([s.model, s.url, s.inputPrice, s.outputPrice, s.verifiability, s.teeSigner]).to.deep.equal([
        "zg-small",
        "https://p.example",
        5n,
        7n,
        BigInt(Mode.Tee),
        f.other.address,
      ]);
      expect(s.updatedAt).to.equal(BigInt(await time.latest()));
      expect(await f.serving.providerCount()).to.equal(1n);
    });

    it("refuses a provider without a service", async function () {
      const f = await loadFixture(candidateFixture);
      await expect(f.serving.connect(f.provider).updateService(zkParams()))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingUnknownService")
        .withArgs(f.provider.address);
    });

    it("refuses once the minimum stake rose above the provider's, and bad fields", async function () {
      const f = await loadFixture(servingFixture);
      await f.serving.setMinProviderStake(MIN_PROVIDER_STAKE + 1n);
      await expect(f.serving.connect(f.provider).updateService(zkParams({ model: "new" })))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInsufficientStake")
        .withArgs(f.provider.address, MIN_PROVIDER_STAKE, MIN_PROVIDER_STAKE + 1n);
      await f.serving.setMinProviderStake(MIN_PROVIDER_STAKE);
      await expect(f.serving.connect(f.provider).updateService(zkParams({ url: "" }))).to.be.revertedWithCustomError(
        f.serving,
        "ComputeServingInvalidString",
      );
      expect((await f.serving.getService(f.provider.address)).model).to.equal("zg-tiny");
    });

    it("refuses while paused", async function () {
      const f = await loadFixture(servingFixture);
      await f.serving.pause();
      await expect(f.serving.connect(f.provider).updateService(zkParams())).to.be.revertedWithCustomError(
        f.serving,
        "EnforcedPause",
      );
    });
  });

  describe("removeService", function () {
    it("deletes the service, keeps the list enumerable and lets the provider register again", async function () {
      const f = await loadFixture(twoProviders);
      await expect(f.serving.connect(f.provider).removeService())
        .to.emit(f.serving, "ServiceRemoved")
        .withArgs(f.provider.address);
      expect((await f.serving.getService(f.provider.address)).exists).to.equal(false);
      expect(await f.serving.providerCount()).to.equal(1n);
      expect(await f.serving.providerAt(0)).to.equal(f.stranger.address);
      await f.serving.connect(f.provider).registerService(zkParams({ model: "again" }));
      expect(await f.serving.providerCount()).to.equal(2n);
      expect(await f.serving.providerAt(1)).to.equal(f.provider.address);
    });

    it("works while paused: a provider can always leave", async function () {
      const f = await loadFixture(twoProviders);
      await f.serving.pause();
      await f.serving.connect(f.stranger).removeService();
      expect(await f.serving.providerCount()).to.equal(1n);
    });

    it("refuses a provider without a service", async function () {
      const f = await loadFixture(twoProviders);
      await expect(f.serving.connect(f.other).removeService())
        .to.be.revertedWithCustomError(f.serving, "ComputeServingUnknownService")
        .withArgs(f.other.address);
      expect(await f.serving.providerCount()).to.equal(2n);
    });
  });

  describe("acknowledgeTeeSigner", function () {
    it("acknowledges and revokes a key, admin only", async function () {
      const f = await loadFixture(computeFixture);
      await expect(f.serving.acknowledgeTeeSigner(f.other.address, true))
        .to.emit(f.serving, "TeeSignerAcknowledged")
        .withArgs(f.other.address, true);
      expect(await f.serving.isTeeSignerAcknowledged(f.other.address)).to.equal(true);
      await f.serving.acknowledgeTeeSigner(f.other.address, false);
      expect(await f.serving.isTeeSignerAcknowledged(f.other.address)).to.equal(false);
      await expect(f.serving.connect(f.user).acknowledgeTeeSigner(f.user.address, true)).to.be.revertedWithCustomError(
        f.serving,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.serving.acknowledgeTeeSigner(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingZeroAddress")
        .withArgs("signer");
      expect(await f.serving.isTeeSignerAcknowledged(f.user.address)).to.equal(false);
    });
  });

  describe("slashProvider", function () {
    it("slashes the provider's validator in Staking as the compute service, SLASHER_ROLE only", async function () {
      const f = await loadFixture(servingFixture);
      const reason = ethers.id("bad inference");
      await expect(
        f.serving.connect(f.stranger).slashProvider(f.provider.address, 10_000, reason, false),
      ).to.be.revertedWithCustomError(f.serving, "AccessControlUnauthorizedAccount");
      await f.serving.grantRole(SLASHER_ROLE, f.stranger.address);
      const before = (await f.staking.getValidator(f.provider.address)).bonded.stake;
      await expect(f.serving.connect(f.stranger).slashProvider(f.provider.address, 10_000, reason, true))
        .to.emit(f.serving, "ProviderSlashed")
        .withArgs(f.provider.address, f.stranger.address, 10_000, reason, true);
      const after = await f.staking.getValidator(f.provider.address);
      expect(after.bonded.stake).to.equal(before - before / 100n);
      expect(after.jailed).to.equal(true);
    });

    it("passes Staking's refusal on: a validator not opted in", async function () {
      const f = await loadFixture(servingFixture);
      await f.serving.grantRole(SLASHER_ROLE, f.stranger.address);
      await f.staking
        .connect(f.other)
        .registerValidator(ethers.zeroPadValue("0x0bad", 48), "not opted in", 0, 0, 0, { value: MIN_PROVIDER_STAKE });
      await expect(f.serving.connect(f.stranger).slashProvider(f.other.address, 10_000, ethers.ZeroHash, false))
        .to.be.revertedWithCustomError(f.staking, "StakingNotOptedIn")
        .withArgs(f.other.address, await f.serving.getAddress());
      expect((await f.staking.getValidator(f.other.address)).bonded.stake).to.equal(MIN_PROVIDER_STAKE);
    });
  });

  describe("setMinProviderStake", function () {
    it("sets a non-zero minimum, admin only", async function () {
      const f = await loadFixture(computeFixture);
      await expect(f.serving.setMinProviderStake(5n)).to.emit(f.serving, "MinProviderStakeChanged").withArgs(5n);
      expect(await f.serving.minProviderStake()).to.equal(5n);
      await expect(f.serving.setMinProviderStake(0n))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingInvalidParam")
        .withArgs("minProviderStake", 0n);
      await expect(f.serving.connect(f.user).setMinProviderStake(1n)).to.be.revertedWithCustomError(
        f.serving,
        "AccessControlUnauthorizedAccount",
      );
      expect(await f.serving.minProviderStake()).to.equal(5n);
    });
  });

  describe("setVerifier", function () {
    it("sets a contract, admin only", async function () {
      const f = await loadFixture(computeFixture);
      const other = await f.ledger.getAddress();
      await expect(f.serving.setVerifier(other)).to.emit(f.serving, "VerifierChanged").withArgs(other);
      expect(await f.serving.verifier()).to.equal(other);
      await expect(f.serving.setVerifier(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingZeroAddress")
        .withArgs("verifier");
      await expect(f.serving.setVerifier(f.user.address))
        .to.be.revertedWithCustomError(f.serving, "ComputeServingNotAContract")
        .withArgs(f.user.address);
      await expect(f.serving.connect(f.user).setVerifier(await f.verifier.getAddress())).to.be.revertedWithCustomError(
        f.serving,
        "AccessControlUnauthorizedAccount",
      );
      expect(await f.serving.verifier()).to.equal(other);
    });
  });

  describe("teeSettlementDigest", function () {
    it("is the EIP-712 hash ethers computes for the Settlement type", async function () {
      const f = await loadFixture(computeFixture);
      const s = { user: f.user.address, firstNonce: 3n, lastNonce: 9n, total: 12345n, billsHash: ethers.id("b") };
      const domain = {
        name: "zg ComputeServing",
        version: "1",
        chainId: (await ethers.provider.getNetwork()).chainId,
        verifyingContract: await f.serving.getAddress(),
      };
      const expected = TypedDataEncoder.hash(domain, SETTLEMENT_TYPES, { ...s, provider: f.provider.address });
      expect(await f.serving.teeSettlementDigest(s, f.provider.address)).to.equal(expected);
      expect(await f.serving.SETTLEMENT_TYPEHASH()).to.equal(
        ethers.id(
          "Settlement(address user,address provider,uint64 firstNonce,uint64 lastNonce,uint256 total,bytes32 billsHash)",
        ),
      );
    });
  });

  describe("upgrade", function () {
    it("upgrades to a ComputeServing implementation only, UPGRADER_ROLE only", async function () {
      const f = await loadFixture(servingFixture);
      const impl = await (await ethers.getContractFactory("ComputeServing")).deploy();
      await expect(
        f.serving.connect(f.user).upgradeToAndCall(await impl.getAddress(), "0x"),
      ).to.be.revertedWithCustomError(f.serving, "AccessControlUnauthorizedAccount");
      const wrong = await (await ethers.getContractFactory("ComputeLedger")).deploy();
      await expect(f.serving.upgradeToAndCall(await wrong.getAddress(), "0x")).to.be.revertedWithCustomError(
        f.serving,
        "ProtocolUpgradeNameMismatch",
      );
      await f.serving.upgradeToAndCall(await impl.getAddress(), "0x");
      expect((await f.serving.getService(f.provider.address)).model).to.equal("zg-tiny");
    });
  });
});
