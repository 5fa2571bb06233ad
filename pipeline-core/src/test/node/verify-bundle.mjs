// Verifies a Sigstore bundle with @sigstore/verify, trusting nothing but one public key: no
// Fulcio CA, no Rekor log, no CT log, no timestamp authority.
//
//   node verify-bundle.mjs BUNDLE PUBLIC_KEY_PEM [ARTIFACT]
//
// With ARTIFACT the bundle must hold a message signature over that file's bytes; without it, a
// DSSE envelope. Prints one line of JSON on stdout.
// Exit codes: 0 verified, 1 bundle rejected, 2 usage error (arguments, unreadable input, key type).
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bundleFromJSON } from '@sigstore/bundle';
import { HashAlgorithm, PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';

const KEY_DETAILS = {
  prime256v1: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
  secp384r1: PublicKeyDetails.PKIX_ECDSA_P384_SHA_384,
  secp521r1: PublicKeyDetails.PKIX_ECDSA_P521_SHA_512,
};

function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

function usage(message) {
  emit({ verified: false, error: { code: 'USAGE', message } });
  process.exit(2);
}

function rejected(code, message) {
  return Object.assign(new Error(message), { code });
}

const args = process.argv.slice(2);
if (args.length < 2 || args.length > 3) {
  usage('usage: verify-bundle.mjs BUNDLE PUBLIC_KEY_PEM [ARTIFACT]');
}
const [bundlePath, keyPath, artifactPath] = args;

let key;
let bundleText;
let artifact;
try {
  key = createPublicKey(readFileSync(keyPath));
  bundleText = readFileSync(bundlePath, 'utf8');
  artifact = artifactPath === undefined ? undefined : readFileSync(artifactPath);
} catch (e) {
  usage(String(e?.message ?? e));
}
const keyDetails = KEY_DETAILS[key.asymmetricKeyDetails?.namedCurve];
if (keyDetails === undefined) {
  usage(`unsupported public key: ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`);
}

try {
  // The key's hint, computed here independently of the signer: the lower-case hex SHA-256 of the
  // key's canonical SubjectPublicKeyInfo PEM (what model_signing and Custody write).
  const spkiDer = key.export({ type: 'spki', format: 'der' });
  const hint = createHash('sha256').update(key.export({ type: 'spki', format: 'pem' })).digest('hex');

  // Trust material with no authorities at all; the one key is looked up by the bundle's
  // verificationMaterial.publicKey.hint (any other hint fails with PUBLIC_KEY_ERROR). With all
  // three thresholds at 0 the bundle needs no tlog entry, no SCT and no timestamp; any it does
  // carry are still verified, and fail here, as this trust material has no logs or TSAs.
  const trust = toTrustMaterial(TrustedRoot.fromJSON({}), { [hint]: { rawBytes: spkiDer, keyDetails } });
  const verifier = new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });

  // bundleFromJSON parses through the protobuf-specs schema and checks the bundle's structure.
  const bundle = bundleFromJSON(JSON.parse(bundleText));
  const content = bundle.content.$case;
  const expected = artifact === undefined ? 'dsseEnvelope' : 'messageSignature';
  if (content !== expected) {
    throw rejected('CONTENT_ERROR', `expected a ${expected} bundle, found ${content}`);
  }
  const signer = verifier.verify(toSignedEntity(bundle, artifact));

  // Without a tlog entry @sigstore/verify checks the signature over the artifact but never reads
  // messageSignature.messageDigest; check it as well, so a wrong recorded digest cannot pass.
  if (content === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    const actual = createHash('sha256').update(artifact).digest();
    if (md.algorithm !== HashAlgorithm.SHA2_256 || !actual.equals(Buffer.from(md.digest))) {
      throw rejected('DIGEST_ERROR', "messageDigest is not the artifact's SHA-256");
    }
  }

  const out = {
    verified: true,
    mediaType: bundle.mediaType,
    content,
    keyHint: bundle.verificationMaterial.content.publicKey.hint,
    signerIsGivenKey: signer.key.export({ type: 'spki', format: 'der' }).equals(spkiDer),
    tlogEntries: bundle.verificationMaterial.tlogEntries.length,
  };
  if (content === 'dsseEnvelope') {
    out.payloadType = bundle.content.dsseEnvelope.payloadType;
  }
  emit(out);
} catch (e) {
  emit({ verified: false, error: { name: e?.name, code: e?.code, message: String(e?.message ?? e), fields: e?.fields } });
  process.exit(1);
}
