package dev.custody.train.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.custody.core.Sha256;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class MerkleTest {
  /** The Certificate Transparency test vectors: inputs and MTH of the first n of them. */
  private static final List<String> CT_LEAVES =
      List.of(
          "",
          "00",
          "10",
          "2021",
          "3031",
          "40414243",
          "5051525354555657",
          "606162636465666768696a6b6c6d6e6f");

  private static final List<String> CT_ROOTS =
      List.of(
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

  @Test
  void rootOfLeafHashes_certificateTransparencyVectors_match() {
    for (int n = 1; n <= CT_LEAVES.size(); n++) {
      List<byte[]> leaves = new ArrayList<>();
      for (String hex : CT_LEAVES.subList(0, n)) {
        leaves.add(Merkle.leaf(HexFormat.of().parseHex(hex)));
      }
      assertThat(HexFormat.of().formatHex(Merkle.rootOfLeafHashes(leaves)))
          .as("root of %d leaves", n)
          .isEqualTo(CT_ROOTS.get(n - 1));
    }
  }

  @Test
  void rootOfLeafHashes_anySize_equalsRfc6962RecursiveDefinition() {
    for (int n = 1; n <= 70; n++) {
      List<byte[]> leaves = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        leaves.add(Merkle.leaf(new byte[] {(byte) i}));
      }
      assertThat(Merkle.rootOfLeafHashes(leaves)).as("n = %d", n).isEqualTo(mth(leaves));
    }
  }

  @Test
  void root_noRows_isSha256OfNothing() {
    assertThat(Merkle.root(List.of()).hex())
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void encode_row_isLengthPrefixedIdAndFields() {
    CanonicalRow row = new CanonicalRow("f.csv", 2, "7", List.of("yes", "42"));

    assertThat(HexFormat.of().formatHex(row.encode()))
        .isEqualTo("00000003" + "00000001" + "37" + "00000003" + "796573" + "00000002" + "3432");
    assertThat(Merkle.leafHash(row)).isEqualTo(Sha256.ofRaw(Merkle.leaf(row.encode())));
  }

  @Test
  void root_rowChangedOrMoved_changes() {
    CanonicalRow a = new CanonicalRow("f", 2, "", List.of("yes", "1"));
    CanonicalRow b = new CanonicalRow("f", 3, "", List.of("no", "2"));
    CanonicalRow bChanged = new CanonicalRow("f", 3, "", List.of("yes", "2"));
    CanonicalRow bElsewhere = new CanonicalRow("g", 9, "", List.of("no", "2"));

    Sha256 root = Merkle.root(List.of(a, b));

    assertThat(Merkle.root(List.of(a, bChanged))).isNotEqualTo(root);
    assertThat(Merkle.root(List.of(b, a))).isNotEqualTo(root);
    assertThat(Merkle.root(List.of(a, bElsewhere)))
        .as("source and line are not content")
        .isEqualTo(root);
  }

  private static byte[] mth(List<byte[]> leaves) {
    if (leaves.size() == 1) {
      return leaves.get(0);
    }
    int k = Integer.highestOneBit(leaves.size() - 1);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((byte) 1);
      md.update(mth(leaves.subList(0, k)));
      md.update(mth(leaves.subList(k, leaves.size())));
      return md.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
