{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "e114c18f8473852ae8e9c12b0ddbd059212e0ba4727847eadf289c35dd575bc1"
    }
  },
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoib25lLXJvdy1jaGFuZ2VkIiwiZGlnZXN0Ijp7InNoYTI1NiI6IjA0NDc4YzQwYWQ4ZGUyYTYzOGIyY2M2MDhiODQ4NmJiOTkzNjIwYzEzYzcyM2IyNjZhZWFmYzE3NmMxY2U4MDQifX1dLCJwcmVkaWNhdGVUeXBlIjoiaHR0cHM6Ly9tb2RlbF9zaWduaW5nL3NpZ25hdHVyZS92MS4wIiwicHJlZGljYXRlIjp7InNlcmlhbGl6YXRpb24iOnsibWV0aG9kIjoiZmlsZXMiLCJoYXNoX3R5cGUiOiJzaGEyNTYiLCJhbGxvd19zeW1saW5rcyI6ZmFsc2UsImlnbm9yZV9wYXRocyI6WyIuZ2l0IiwiLmdpdGF0dHJpYnV0ZXMiLCIuZ2l0aHViIiwiLmdpdGlnbm9yZSIsImF0dGVzdGF0aW9ucyIsIm1vZGVsLnNpZyJdfSwicmVzb3VyY2VzIjpbeyJuYW1lIjoibW9kZWwtY2FyZC5qc29uIiwiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiMTFjYzQxOWVkZDExZjYzZTQzNmRiNTQ0YjY3ZGE4ZTRjMzgwNjVhY2MxNzU1Y2UzODZhNzdkODFmMTNkMGQzOSJ9LHsibmFtZSI6Im1vZGVsLnRyaWJ1byIsImFsZ29yaXRobSI6InNoYTI1NiIsImRpZ2VzdCI6IjA3NzlmMzA0ZTg1OTUzNDAxOThkNWU2OWNmNjQ4OThkNTQ1NzAyMWU3NjEwODU3ODM0YzI5YWJiODM4YTJlYTcifV19fQ==",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [{
      "sig": "MEQCIFtcQCjrfIE/OxcPFMn8pr75qvQ1YVqF3axFfy7Xl1OWAiAmze8eXTJGzM9u2Dg36bAHMIk/ev3EMsjsolZJoSNnrQ=="
    }]
  }
}
