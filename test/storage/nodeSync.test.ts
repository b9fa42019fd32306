import { expect } from "chai";
import { ZeroAddress, type Log } from "ethers";
import { flowInterface, parseSubmit } from "../../offchain/storage/node/sync";

describe("[offchain] storage node sync", () => {
  it("reads a Submit event's fields, the length in sectors included", () => {
    const root = `0x${"ab".repeat(32)}`;
    const submission = [1000n, "0x", [[`0x${"cd".repeat(32)}`, 10n]]];
    const encoded = flowInterface.encodeEventLog("Submit", [ZeroAddress, root, 7n, 4096n, 1234n, 99n, submission]);
    const log = { ...encoded, transactionHash: `0x${"ef".repeat(32)}`, blockNumber: 42 } as unknown as Log;
    const record = parseSubmit(log);
    expect(record).to.include({ seq: 7, root, startPos: 4096, sectors: 1234, size: 1000, block: 42 });
    expect(record.nodes).to.deep.equal([{ root: `0x${"cd".repeat(32)}`, height: 10 }]);
  });
});
