// Prints the runtime bytecode of StylusDeployer.sol (needs `npm install solc@0.8.28`).
const fs = require("fs");
const path = require("path");
const solc = require("solc");
const source = fs.readFileSync(path.join(__dirname, "StylusDeployer.sol"), "utf8");
const input = {
  language: "Solidity",
  sources: { "StylusDeployer.sol": { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    metadata: { bytecodeHash: "none" },
    outputSelection: { "*": { StylusDeployer: ["evm.deployedBytecode.object"] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors || []) console.error(e.formattedMessage);
if ((out.errors || []).some((e) => e.severity === "error")) process.exit(1);
console.log(out.contracts["StylusDeployer.sol"].StylusDeployer.evm.deployedBytecode.object);
