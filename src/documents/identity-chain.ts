// The release identity chain (DESIGN.md "The identity chain"), as pure functions:
//   manifest digest -> packet.manifest; policy digest -> packet.rollbackPolicy;
//   release identity = digest of the packet -> provenance subject.
// Each broken link is one evidence_chain_broken finding naming the link.
import type { Manifest, Packet, Provenance, RollbackPolicy } from "./types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestOfJSON, digestsEqual, type DigestSet } from "../identity/digest.js";

export type Evidence = {
  readonly manifest: Manifest;
  readonly packet: Packet;
  readonly provenance: Provenance;
  readonly rollbackPolicy: RollbackPolicy;
};

export type EvidenceFiles = Record<keyof Evidence, string>;

/** The release identity: sha256 over the RFC 8785 form of the packet. */
export function releaseIdentityOf(packet: Packet): DigestSet {
  return digestOfJSON(packet);
}

export function subjectNameOf(releaseId: string): string {
  return `release:${releaseId}`;
}

type Link = {
  readonly name: string;
  readonly subject: string;
  readonly expected: DigestSet;
  readonly actual: DigestSet;
  readonly message: string;
};

/** Checks every link and returns one finding per broken link (none when the chain holds). */
export function verifyChain(evidence: Evidence, files: EvidenceFiles): ClassifiedFinding[] {
  return verifyChainOf(evidence, digestOfJSON(evidence.manifest), files);
}

/** verifyChain for a manifest that was digested as it streamed by (it is not held whole). */
export function verifyChainOf(
  evidence: Omit<Evidence, "manifest">,
  manifestDigest: DigestSet,
  files: EvidenceFiles,
): ClassifiedFinding[] {
  const identity = releaseIdentityOf(evidence.packet);
  const subject = evidence.provenance.subject[0];
  const links: Link[] = [
    {
      name: "manifest -> packet",
      subject: `${files.packet}#/manifest/digest`,
      expected: evidence.packet.manifest.digest,
      actual: manifestDigest,
      message: `the packet names manifest digest %E, but ${files.manifest} digests to %A: the manifest changed after sealing`,
    },
    {
      name: "rollback policy -> packet",
      subject: `${files.packet}#/rollbackPolicy/digest`,
      expected: evidence.packet.rollbackPolicy.digest,
      actual: digestOfJSON(evidence.rollbackPolicy),
      message: `the packet names rollback policy digest %E, but ${files.rollbackPolicy} digests to %A: the policy changed after sealing`,
    },
    {
      name: "packet -> provenance",
      subject: `${files.provenance}#/subject/0/digest`,
      expected: subject.digest,
      actual: identity,
      message: `the provenance's subject is %E, but ${files.packet} digests to %A: the packet changed after sealing, or the provenance is of another release`,
    },
  ];
  const findings = links
    .filter((link) => !digestsEqual(link.expected, link.actual))
    .map((link) =>
      createFinding("evidence_chain_broken", {
        subject: link.subject,
        expected: link.expected.sha256,
        actual: link.actual.sha256,
        message: `${link.name}: ${link.message.replace("%E", `sha256:${link.expected.sha256.slice(0, 12)}…`).replace("%A", `sha256:${link.actual.sha256.slice(0, 12)}…`)}`,
      }),
    );
  const expectedName = subjectNameOf(evidence.packet.release.id);
  if (subject.name !== expectedName) {
    findings.push(
      createFinding("evidence_chain_broken", {
        subject: `${files.provenance}#/subject/0/name`,
        expected: expectedName,
        actual: subject.name,
        message: `packet -> provenance: the provenance names ${subject.name}, but the packet is release ${evidence.packet.release.id}`,
      }),
    );
  }
  return findings;
}
