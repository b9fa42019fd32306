import hre from "hardhat";

/** Runs a Hardhat task in-process with console.log captured; returns the lines it printed. */
export async function runTaskCapturing(name: string, args: Record<string, unknown>): Promise<string[]> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
  try {
    await hre.run(name, args);
  } finally {
    console.log = log;
  }
  return lines;
}
