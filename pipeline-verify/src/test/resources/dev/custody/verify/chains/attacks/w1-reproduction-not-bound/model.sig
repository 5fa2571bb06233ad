{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "e114c18f8473852ae8e9c12b0ddbd059212e0ba4727847eadf289c35dd575bc1"
    }
  },
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoidzEtcmVwcm9kdWN0aW9uLW5vdC1ib3VuZCIsImRpZ2VzdCI6eyJzaGEyNTYiOiIwOWJhNzA3MDEzODlmNjBkMjY2NGFkOWYwOTVmNjI3ZTk5ZmMyY2E3NGIyNmFiNjQ1YjY3NDY5MTM2MmYzYzE3In19XSwicHJlZGljYXRlVHlwZSI6Imh0dHBzOi8vbW9kZWxfc2lnbmluZy9zaWduYXR1cmUvdjEuMCIsInByZWRpY2F0ZSI6eyJzZXJpYWxpemF0aW9uIjp7Im1ldGhvZCI6ImZpbGVzIiwiaGFzaF90eXBlIjoic2hhMjU2IiwiYWxsb3dfc3ltbGlua3MiOmZhbHNlLCJpZ25vcmVfcGF0aHMiOlsiLmdpdCIsIi5naXRhdHRyaWJ1dGVzIiwiLmdpdGh1YiIsIi5naXRpZ25vcmUiLCJhdHRlc3RhdGlvbnMiLCJtb2RlbC5zaWciXX0sInJlc291cmNlcyI6W3sibmFtZSI6Im1vZGVsLWNhcmQuanNvbiIsImFsZ29yaXRobSI6InNoYTI1NiIsImRpZ2VzdCI6IjUzNmRjZWFkMTI0NjYyYzQ4YTVhNDk0NTZjNDI0MWMxY2RlZDU3YmIzZDJhM2VmNDNkMGM3NDQyMTZmZWI3ZDQifSx7Im5hbWUiOiJtb2RlbC50cmlidW8iLCJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiJlNGM1YzI2MjNhMzBiNzg5NzBiMDUwODViNDZmOTlmMDA2YmY0ZTdmMmRhYWZmOWZhYmI1OTdhZDI1ZDMxZDJkIn1dfX0=",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [{
      "sig": "MEYCIQCBQJsTY37cvVL9SSjyNIysUovDC1G7OQehvDm31EG3kgIhAJYWXWyq7XCU7UOsTgomhiDyoconaxS9V5UcVl65TjS1"
    }]
  }
}
