package netsh

import (
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// TestKeepTextCutsEverySecret keeps the text of files holding a
// pre-shared key or password in every form the parser knows, and forms
// it does not run (dynamic-mode commands, a tag's prefix, a remote
// netsh's password, a key on a continued line): no part of a secret is
// in the text kept, every line is kept in its place, the lines without
// a secret are the file's own, and reading is the same with or without
// KeepText.
func TestKeepTextCutsEverySecret(t *testing.T) {
	const pre = "netsh ipsec static add policy name=P\r\nnetsh ipsec static add filterlist name=L\r\nnetsh ipsec static add filteraction name=A\r\n"
	for _, c := range []struct {
		name, text string
		words      []string // the secret's parts: none may be kept
	}{
		{"add rule psk=", pre + `netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk="Zanzibar Quokka"` + "\r\n", []string{"Zanzibar", "Quokka"}},
		{"set defaultrule psk=", pre + "netsh ipsec static set defaultrule policy=P psk=Marmalade9 kerberos=no\r\n", []string{"Marmalade9"}},
		{"psk without =", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk Narwhal\r\n", []string{"Narwhal"}},
		{"unquoted key with spaces", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk=Hibiscus Lantern Okapi\r\n", []string{"Hibiscus", "Lantern", "Okapi"}},
		{"key cut by a pipe", "pushd ipsec static\r\nadd policy name=P\r\nadd rule name=R policy=P filterlist=L filteraction=A psk=Gazebo|add Vortex99 extra\r\npopd\r\n", []string{"Gazebo", "Vortex99"}},
		{"tag prefix ps=", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A ps=Pr3fixed\r\n", []string{"Pr3fixed"}},
		{"key on a continued line", "pushd ipsec static\r\nadd policy name=P\r\nadd rule name=R policy=P filterlist=L filteraction=A psk=^\r\n  \"Cont1nued Key\"\r\npopd\r\n", []string{"Cont1nued"}},
		{"dynamic mode, not run", "netsh ipsec dynamic add rule srcaddr=any dstaddr=any mmpolicy=M qmpolicy=Q psk=Dyn4mic\r\n", []string{"Dyn4mic"}},
		{"remote netsh password", "netsh -r EXFE01 -u CONTOSO\\admin -p Passw0rd! ipsec static add policy name=P\r\n", []string{"Passw0rd"}},
		{"ipsecpol -a PRESHARE:", `ipsecpol -w REG -p P -r R -f 0+10.0.0.50 -n ESP[3DES,SHA1] -a PRESHARE:"Obsidian Walrus"` + "\r\n", []string{"Obsidian", "Walrus"}},
		{"ipsecpol -a P:, second method", "ipsecpol -w REG -p P -r R -f 0+* -n PASS -a KERBEROS P:Cobalt\r\n", []string{"Cobalt"}},
		{"ipsecpol key without -a", "ipsecpol -w REG -p P -r R -f 0+* -n PASS PRESHARE:Lagoon55\r\n", []string{"Lagoon55"}},
		{"show all PreShared Key Value", "Policy Name : P\r\nRule Name : R\r\nFilterList Name : L\r\nFilterAction Name : A\r\nAuthentication Methods\r\nPreShared Key Value : Tangerine-Gondola\r\n", []string{"Tangerine-Gondola"}},
		{"show all zh-CN", "策略名称 : P\r\nRule Name : R\r\nFilterList Name : L\r\n预共享密钥 : Quetzal五\r\n", []string{"Quetzal五"}},
		{"listing key wrapped onto the next line", "Policy Name : P\r\nRule Name : R\r\nPreshared Key : Avalanche-\r\nMinotaur-Sextant\r\n", []string{"Avalanche", "Minotaur", "Sextant"}},
		{"listing label not known", "Policy Name : P\r\nRule Name : R\r\nPre-Shared Secret Key : Kumquat31\r\n", []string{"Kumquat31"}},
		{"listing table", "Policy Name : P\r\n\r\nRule Name          PreShared Key Value\r\n------------------ -------------------\r\nR                  T4ble-Key\r\n", []string{"T4ble-Key"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Parse([]byte(c.text), "k.txt", Options{KeepText: true})
			if err != nil {
				t.Fatal(err)
			}
			plain, _ := Parse([]byte(c.text), "k.txt", Options{})
			if everything(t, res) != everything(t, plain) {
				t.Error("KeepText changes what is read")
			}
			lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(c.text, "\r\n", "\n"), "\n"), "\n")
			kept := res.Text.Lines
			if len(kept) != len(lines) {
				t.Fatalf("%d lines kept, the file has %d: %q", len(kept), len(lines), kept)
			}
			all := strings.Join(kept, "\n")
			for _, w := range c.words {
				if strings.Contains(all, w) {
					t.Errorf("the secret's %q is kept:\n%s", w, all)
				}
			}
			redacted := map[int]bool{}
			for _, n := range res.Text.Redacted {
				redacted[n] = true
			}
			for i, l := range kept {
				switch {
				case redacted[i+1] && (!strings.HasSuffix(l, model.Redacted) || !strings.HasPrefix(lines[i], strings.TrimSuffix(l, model.Redacted))):
					t.Errorf("line %d: %q is not the file's %q cut at a secret", i+1, l, lines[i])
				case !redacted[i+1] && l != lines[i]:
					t.Errorf("line %d: %q, the file has %q", i+1, l, lines[i])
				}
			}
			if len(res.Text.Redacted) == 0 {
				t.Error("nothing redacted")
			}
		})
	}
}

// TestKeepTextOff: without KeepText nothing of the text is kept.
func TestKeepTextOff(t *testing.T) {
	res, err := Parse([]byte("pushd ipsec static\r\nadd policy name=P\r\npopd\r\n"), "k.txt", Options{})
	if err != nil || res.Text != nil {
		t.Errorf("Text %v, err %v", res.Text, err)
	}
	res, err = Parse([]byte("pushd ipsec static\r\nadd policy name=P\r\npopd\r\n"), "k.txt", Options{KeepText: true})
	if err != nil || res.Text == nil || len(res.Text.Lines) != 3 || len(res.Text.Redacted) != 0 || res.Text.Lines[1] != "add policy name=P" {
		t.Errorf("Text %+v, err %v", res.Text, err)
	}
}

// FuzzKeepText: keeping the text never panics, and in a script cuts
// every line in which the word psk starts.
func FuzzKeepText(f *testing.F) {
	f.Add([]byte("pushd ipsec static\r\nadd rule name=R psk=^\r\nKey\r\n"))
	f.Add([]byte("PreShared Key Value : K\r\nmore\r\n"))
	f.Add([]byte("ipsecpol -w REG -a P:\"x y\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(data, "f.txt", Options{KeepText: true})
		if err != nil || res.Text == nil || len(res.Stores) == 0 || (res.Stores[0].Form != formScript && res.Stores[0].Form != formIPSecPol) {
			return
		}
		for _, l := range res.Text.Lines {
			if wordColumn(l, "psk") > 0 && !strings.HasSuffix(l, model.Redacted) {
				t.Fatalf("a line with psk kept whole: %q", l)
			}
		}
	})
}

// TestSecretColumnThroughCmdEscapes: cmd removes ^ before netsh reads a
// line, so p^sk^=key is psk=key; the column found is where the tag starts
// in the line as written, and nothing of the key lies before it.
func TestSecretColumnThroughCmdEscapes(t *testing.T) {
	for _, line := range []string{
		`add rule name=R kerberos=no p^sk^=KEYTEXT1`,
		`add rule name=R kerberos=no ps^k="KEYTEXT1"`,
		`add rule name=R kerberos=no pre^shared=KEYTEXT1`,
		`netsh advfirewall consec add rule name=x auth1psk^=KEYTEXT1`,
	} {
		col := secretColumn(line, formScript)
		key := strings.Index(line, "KEYTEXT1")
		if col == 0 || col-1 > key {
			t.Errorf("%q: secret from column %d, but the key starts at %d", line, col, key+1)
		}
	}
	if col := secretColumn(`add rule name=R^&S kerberos=yes`, formScript); col != 0 {
		t.Errorf("a line with ^ and no key: secret from column %d", col)
	}
}
