{
  "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
  "verificationMaterial": {
    "publicKey": {
      "hint": "e114c18f8473852ae8e9c12b0ddbd059212e0ba4727847eadf289c35dd575bc1"
    }
  },
  "dsseEnvelope": {
    "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJzdWJqZWN0IjpbeyJuYW1lIjoidzUtY2xhc3Mtbm90LWFsbG93ZWQiLCJkaWdlc3QiOnsic2hhMjU2IjoiM2VmMzA2ZWQzMTNmYzBhOTg4NDIzYTQ2NTUxZTlmOWM4OWVlZWY3YWQwN2YyMTJmYWZlYTZlZjIzNWYzODRiZCJ9fV0sInByZWRpY2F0ZVR5cGUiOiJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLCJwcmVkaWNhdGUiOnsic2VyaWFsaXphdGlvbiI6eyJtZXRob2QiOiJmaWxlcyIsImhhc2hfdHlwZSI6InNoYTI1NiIsImFsbG93X3N5bWxpbmtzIjpmYWxzZSwiaWdub3JlX3BhdGhzIjpbIi5naXQiLCIuZ2l0YXR0cmlidXRlcyIsIi5naXRodWIiLCIuZ2l0aWdub3JlIiwiYXR0ZXN0YXRpb25zIiwibW9kZWwuc2lnIl19LCJyZXNvdXJjZXMiOlt7Im5hbWUiOiJtb2RlbC1jYXJkLmpzb24iLCJhbGdvcml0aG0iOiJzaGEyNTYiLCJkaWdlc3QiOiJhYjkxYWYyNDNiZWE3Y2M0ZWEwZWY1Y2NlYTU3NGUwNjY3ZDUxMzMwZjlmMTJkM2QzMzg3YTJiNGJiYTMwOWYwIn0seyJuYW1lIjoibW9kZWwudHJpYnVvIiwiYWxnb3JpdGhtIjoic2hhMjU2IiwiZGlnZXN0IjoiOTRiNDE3ODQwYjMyNTMyMDRmODE2MDBmNTY2MjhjZTJmOTRiODJmYjU4ZjIyOTY1NWRkNmUyNDFhM2M0MWYwYiJ9XX19",
    "payloadType": "application/vnd.in-toto+json",
    "signatures": [{
      "sig": "MEUCIQD5Nd7LKSOHhHBYYcm1QqU4Y3hfzuSSD036QS4jiREzDAIgXCtvZNDUW/pSQUkidqpOg2yzqA1A8RpSiaVX977hn3o="
    }]
  }
}
