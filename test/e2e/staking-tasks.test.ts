import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { formatEther, parseEther } from "ethers";
import { devAddress, runTask, startDevnet, type Devnet } from "../helpers/process";

const ROOT = path.resolve(__dirname, "..", "..");
const PPM = 1_000_000n;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await res.json()) as { result: unknown }).result;
}

/** The first decimal amount after `label` in a task's output. */
function amountAfter(output: string, label: string): bigint {
  const match = new RegExp(`${label}\\s+([0-9.]+)`).exec(output);
  if (!match) throw new Error(`no "${label}" amount in:\n${output}`);
  return parseEther(match[1]);
}

describe("[e2e] staking tasks against zg devnet", function () {
  this.timeout(300_000);
  let devnet: Devnet;
  let url: string;
  let deployments: string;

  before(async () => {
    devnet = await startDevnet("zg-staking-e2e-");
    ({ url, deployments } = devnet);
  });

  after(() => devnet.stop());

  it("registers two validators, delegates, rewards, slashes one, undelegates, waits and withdraws", async () => {
    const run = (...args: string[]) => runTask(url, deployments, args);
    const [v1, v2, delegator, service] = [devAddress(1), devAddress(2), devAddress(3), devAddress(4)];
    const params = JSON.parse(fs.readFileSync(path.join(ROOT, "deploy", "params", "localhost.json"), "utf8"));

    await run("validator:register", "--account", "1", "--pubkey", "0x01aa", "--stake", "1000", "--commission", "50000");
    await run("validator:register", "--account", "2", "--pubkey", "0x02bb", "--stake", "1000");
    await run("stake:delegate", "--account", "3", "--validator", v1, "--amount", "500");
    const reward = await run("rewards:distribute", "--validator", v1, "--amount", "100");
    await run("service:register", "--service", service, "--name", "e2e-service", "--cap", "100000");
    await run("service:optin", "--account", "1", "--service", service);
    const slash = await run("service:slash", "--account", "4", "--validator", v1, "--ppm", "50000", "--reason", "e2e");

    // The numbers add up: tax, then commission, then delegators; then a 5 % slash of the bonded pool.
    const tax = (parseEther("100") * 20_000n) / PPM;
    const commission = ((parseEther("100") - tax) * 50_000n) / PPM;
    expect(reward).to.include(`tax ${formatEther(tax)}, commission ${formatEther(commission)}`);
    const bondedBeforeSlash = parseEther("1500") + parseEther("100") - tax - commission;
    const slashed = (bondedBeforeSlash * 50_000n + PPM - 1n) / PPM;
    expect(slash).to.include(`bonded ${formatEther(slashed)}`);

    const info = await run("stake:info", "--validator", v1, "--delegator", delegator);
    expect(amountAfter(info, "bonded stake")).to.equal(bondedBeforeSlash - slashed);
    expect(info).to.include(`commission owed   ${formatEther(commission)}`);

    const undelegated = await run("stake:undelegate", "--account", "3", "--validator", v1);
    const owed = parseEther(/withdrawal #\d+: ([0-9.]+)/.exec(undelegated)![1]);
    // The delegator owned 500/1500 of the pool; rounding may keep a few wei in the pool, never more.
    const share = ((bondedBeforeSlash - slashed) * 500n) / 1500n;
    expect(share - owed).to.be.within(0n, 1000n);

    expect(await run("stake:withdraw", "--account", "3")).to.match(
      /nothing to withdraw for 0x[0-9a-fA-F]{40} \(1 entry unbonding\)/,
    );
    await rpc(url, "evm_increaseTime", [params.staking.unbondingDelay]);
    await rpc(url, "evm_mine");
    const withdrawn = await run("stake:withdraw", "--account", "3");
    expect(withdrawn).to.include(`withdrew ${formatEther(owed)}`);
    expect(withdrawn).to.include(`balance +${formatEther(owed)}`);

    const after = await run("stake:info", "--validator", v2);
    expect(amountAfter(after, "bonded stake")).to.equal(parseEther("1000"));
  });
});
