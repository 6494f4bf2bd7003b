package policywriter

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// The blobs GPIPSEC.md §5 gives in full, from the real Windows 2000
// export (../shared/samples/registry-policy/w2k-l2tp-psk.vpnease.reg;
// its pre-shared key "example-psk" and addresses are the sample's fake
// values).
const (
	// §5.1: polling interval 10,800 s.
	w2kPolicyHex = "632120224c4fd111863b00a0248d302104000000302a000000"
	// §5.2: any → 192.0.2.10, UDP from port 1701, mirrored.
	w2kFilterHex = "b520dc80c82ed111a89e00a0248d3021" + "4a000000" + "01000000" +
		"020000000000" + "020000000000" + "020000000000" +
		"483ca92ae11c3f46aaa160d818ab6878" + "01000000" + "00000000" + "00000000" + "c000020a" + "ffffffff" +
		"00000000" + "11000000" + "a506" + "0000" + "00" + "00" + "0000" + "00"
	// §5.3: the PSK rule, all connections, transport, active.
	w2kPSKRuleHex = "00acbb118d49d111863900a0248d3021" + "40000000" + "01000000" + "01000000" + "18000000" +
		"6500780061006d0070006c0065002d00700073006b000000" + "fdffffff" + "020000000000" + "00000000" +
		"00000000" + "01000000" + "020000000000" + "00"
	// §5.4: the default response rule, Kerberos, inactive.
	w2kDefaultRuleHex = "00acbb118d49d111863900a0248d3021" + "2a000000" + "01000000" + "05000000" + "02000000" + "0000" +
		"fdffffff" + "02000000" + "0000" + "00000000" + "00000000" + "00000000" + "02000000" + "0000" + "00"
	// §5.6, bytes 0–63 (slot 0 and before); slots 1 and 2 hold garbage in
	// the sample and zeros here; byte 104 is the trailing 00.
	w2kActionHead = "b920dc80c82ed111a89e00a0248d3021" + "54000000" + "01000000" + "2c010000" + "00000000" +
		"00000000" + "00000000" + "01000000" + "03000000" + "01000000" + "02000000" + "40000000" + "08000000"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// diffBytes reports the first offset where got and want differ.
func diffBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: %d bytes, want %d; first difference at offset %d\n got  %x\n want %x", what, len(got), len(want), i, got, want)
}

// w2kModel is the sample's policy as a model, with the sample's GUIDs.
func w2kModel() *model.Policy {
	list := &model.FilterList{Name: "VPNease Filter List 192.0.2.10", GUID: "{A1A1A1A1-0002-4000-8000-000000000002}", Filters: []*model.Filter{model.NewFilter(model.FilterSpec{
		GUID: "{2AA93C48-1CE1-463F-AAA1-60D818AB6878}", Src: model.Address{Kind: model.AddrAny},
		Dst:      model.Address{Kind: model.AddrIP, Net: netip.MustParsePrefix("192.0.2.10/32")},
		Protocol: 17, SrcPort: 1701, Mirrored: true,
	}, model.Location{})}}
	action := &model.FilterAction{Name: "VPNease Filter Action 192.0.2.10", GUID: "{A1A1A1A1-0005-4000-8000-000000000005}", Action: model.ActionNegotiate,
		Methods: []model.QMMethod{{ESP: &model.ESPTransform{Cipher: "3DES", Integrity: "MD5"}, LifetimeSec: 300}}}
	return &model.Policy{Name: "VPNease Policy 192.0.2.10", GUID: "{A1A1A1A1-0001-4000-8000-000000000001}", PollingIntervalMin: 180, MMLifetimeMin: 480,
		Rules: []*model.Rule{
			{Name: "Default Response", Default: true, GUID: "{A1A1A1A1-0006-4000-8000-000000000006}", ConnType: model.ConnAll,
				Auth: []model.AuthMethod{{Kind: model.AuthKerberos}}, FilterAction: &model.FilterAction{Name: "Default Response", GUID: "{A1A1A1A1-0004-4000-8000-000000000004}", Action: model.ActionNegotiate}},
			{Name: "PSK rule", GUID: "{A1A1A1A1-0007-4000-8000-000000000007}", Active: true, ConnType: model.ConnAll,
				Auth: []model.AuthMethod{{Kind: model.AuthPreshared, KeyLength: 11}}, FilterList: list, FilterListName: list.Name, FilterAction: action, FilterActionName: action.Name},
		}}
}

func blobAt(t *testing.T, tree *model.RegTree, key string) []byte {
	t.Helper()
	v := tree.Key(StoreLocal + `\` + key).Value("ipsecData")
	if v == nil || v.Type != model.RegBinary {
		t.Fatalf("%s: no REG_BINARY ipsecData", key)
	}
	return v.Data
}

// TestBlobsAsWindows2000 writes the sample's policy and compares each
// blob with the bytes GPIPSEC.md §5 gives: byte for byte, but for the
// garbage Windows 2000 leaves in unused slots, where zeros are written.
func TestBlobsAsWindows2000(t *testing.T) {
	tree := model.NewRegTree()
	if _, err := Write(tree, StoreLocal, w2kModel(), Options{PSK: map[string]string{"PSK rule": "example-psk"}}); err != nil {
		t.Fatal(err)
	}
	diffBytes(t, "§5.1 policy", blobAt(t, tree, "ipsecPolicy{A1A1A1A1-0001-4000-8000-000000000001}"), unhex(t, w2kPolicyHex))
	diffBytes(t, "§5.2 filter list", blobAt(t, tree, "ipsecFilter{A1A1A1A1-0002-4000-8000-000000000002}"), unhex(t, w2kFilterHex))
	diffBytes(t, "§5.3 PSK rule", blobAt(t, tree, "ipsecNFA{A1A1A1A1-0007-4000-8000-000000000007}"), unhex(t, w2kPSKRuleHex))
	diffBytes(t, "§5.4 default response rule", blobAt(t, tree, "ipsecNFA{A1A1A1A1-0006-4000-8000-000000000006}"), unhex(t, w2kDefaultRuleHex))

	act := blobAt(t, tree, "ipsecNegotiationPolicy{A1A1A1A1-0005-4000-8000-000000000005}")
	want := append(unhex(t, w2kActionHead), make([]byte, 41)...) // slots 1, 2 zeroed; trailing 00
	diffBytes(t, "§5.6 filter action", act, want)

	// §5.7: six offers, DL 484, slot 0 of each as listed, unused slots zero.
	def := blobAt(t, tree, "ipsecNegotiationPolicy{A1A1A1A1-0004-4000-8000-000000000004}")
	slot0 := []string{"030000000200000002000000", "030000000100000002000000", "010000000200000002000000",
		"010000000100000002000000", "020000000000000001000000", "010000000000000001000000"}
	if len(def) != 505 || !bytes.Equal(def[16:24], unhex(t, "e401000006000000")) || def[504] != 0 {
		t.Fatalf("§5.7 default response action: %d bytes, header %x", len(def), def[:24])
	}
	for i, s := range slot0 {
		off := 44 + 80*i
		if !bytes.Equal(def[off:off+12], unhex(t, s)) || !bytes.Equal(def[off+20:off+60], make([]byte, 40)) {
			t.Errorf("§5.7 offer %d: slot 0 %x, slots 1–2 %x; want %s and zeros", i+1, def[off:off+12], def[off+20:off+60], s)
		}
	}
}

// TestISAKMPAsWindows2000 checks the main-mode blob against §5.8: 341
// bytes, DL 320, the instance GUID equal to the object's own GUID, the
// four default methods with 28,800 s each and the 64/8 constants, and
// zeros where the sample has garbage (PFS-Identity-Required, Zero7).
func TestISAKMPAsWindows2000(t *testing.T) {
	tree := model.NewRegTree()
	key, err := Write(tree, StoreLocal, w2kModel(), Options{PSK: map[string]string{"PSK rule": "example-psk"}})
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := tree.Key(key).Value("ipsecISAKMPReference").AsString()
	name := ref[strings.LastIndexByte(ref, '\\')+1:]
	b := blobAt(t, tree, name)
	g, _ := parseGUID(strings.TrimPrefix(name, clsISAKMP))
	head := "b820dc80c82ed111a89e00a0248d3021" + "40010000" + hex.EncodeToString(g[:]) + strings.Repeat("00", 44) + "04000000"
	methods := []struct{ cipher, hash, group string }{{"03", "02", "02"}, {"03", "01", "02"}, {"01", "02", "01"}, {"01", "01", "01"}}
	want := head
	for _, m := range methods {
		want += "00000000" + m.cipher + "000000" + "40000000" + "08000000" + m.hash + "000000" + "40000000" +
			strings.Repeat("00", 20) + m.group + "000000" + "00000000" + "00000000" + "80700000" + "00000000"
	}
	diffBytes(t, "§5.8 ISAKMP", b, unhex(t, want+"00"))
}
