{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "e114c18f8473852ae8e9c12b0ddbd059212e0ba4727847eadf289c35dd575bc1"
    }
  },
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoiYSIsImRpZ2VzdCI6eyJzaGEyNTYiOiI2NDU2ODFmMmQ4MjkzNTNiMWY2YjE0OWQwZDBiZDVkNDIwMWE0MjNiMDNiNjQ3YzZhZjhjYzc2MTE1ODkwZDQxIn19XSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vbW9kZWxfc2lnbmluZy9zaWduYXR1cmUvdjEuMCIsInByZWRpY2F0ZSI6eyJzZXJpYWxpemF0aW9uIjp7Im1ldGhvZCI6ImZpbGVzIiwiaGFzaF90eXBlIjoic2hhMjU2IiwiYWxsb3dfc3ltbGlua3MiOmZhbHNlLCJpZ25vcmVfcGF0aHMiOlsiLmdpdCIsIi5naXRhdHRyaWJ1dGVzIiwiLmdpdGh1YiIsIi5naXRpZ25vcmUiLCJhdHRlc3RhdGlvbnMiLCJtb2RlbC5zaWciXX0sInJlc291cmNlcyI6W3sibmFtZSI6Im1vZGVsLWNhcmQuanNvbiIsImFsZ29yaXRobSI6InNoYTI1NiIsImRpZ2VzdCI6IjkxMTFiZGM3OGU0ZTM2YTIyNTRkNWU4ZTdiYzk4NTczM2JkMzUyNTBkMDExMmMwYTI0MmU5NTdmZTU4ZmU5YzEifSx7Im5hbWUiOiJtb2RlbC50cmlidW8iLCJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiIyNzQ2ZGZhZDQ2MzBiZWNlN2Y1Nzk5NDQwMjA3NjkzN2RmMmQyMDBhNDBkMTU2NDMwNjU3YmM3NWZkYWI1MDg0In1dfX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [{
      "sig": "MEUCIQDfEMyXJw5RxnnnZoRxUDbDGQ5yopGOtbXDupfsreaUpAIgFvxWbGV0vr1jemmwG//hxaCNYyuMHuHnbOhnCAHSRzI="
    }]
  }
}
