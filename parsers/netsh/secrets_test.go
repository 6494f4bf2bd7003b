package netsh

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ipseclint/ipseclint/internal/model"
)

// everything is all a Result says, as the report would: the stores as
// JSON (the default rules' own actions too), every error and warning.
func everything(t *testing.T, res *Result) string {
	t.Helper()
	b, err := json.Marshal(res.Stores)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.Write(b)
	for _, s := range res.Stores {
		out.WriteString(storeJSON(s))
	}
	for _, e := range res.Errors {
		out.WriteString("\n" + e.Error())
	}
	w, _ := json.Marshal(res.Warnings)
	out.Write(w)
	for _, p := range res.Warnings { // plain too: JSON writes <redacted> as \u003credacted\u003e
		out.WriteString("\n" + p.Loc.String() + " " + p.Message)
	}
	return out.String()
}

// TestKeysReachNoOutput reads a pre-shared key in every form the inputs
// give one, well-formed and not, and checks that no part of it is in
// anything the Result says, while the rule still says it uses a
// pre-shared key (and how long it is, where known). Each key is made of
// words found nowhere else in its input.
func TestKeysReachNoOutput(t *testing.T) {
	const pre = "netsh ipsec static add policy name=P\r\nnetsh ipsec static add filterlist name=L\r\nnetsh ipsec static add filteraction name=A\r\n"
	for _, c := range []struct {
		name, text string
		words      []string // the key's parts: none may appear
		keyLength  int      // 0 when the form gives none
		wantDiag   bool     // a problem must be reported, with <redacted> for the key
	}{
		{"add rule psk=", pre + `netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk="Zanzibar Quokka"` + "\r\n", []string{"Zanzibar", "Quokka"}, 15, false},
		{"set rule psk=", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A\r\nnetsh ipsec static set rule name=R policy=P psk=Xylophone77\r\n", []string{"Xylophone77"}, 11, false},
		{"set defaultrule psk=", pre + "netsh ipsec static set defaultrule policy=P psk=Marmalade9 kerberos=no\r\n", []string{"Marmalade9"}, 10, false},
		{"ipsecpol -a PRESHARE:", `ipsecpol -w REG -p P -r R -f 0+10.0.0.50 -n ESP[3DES,SHA1] -a PRESHARE:"Obsidian Walrus"` + "\r\n", []string{"Obsidian", "Walrus"}, 15, false},
		{"show all PreShared Key Value", "Policy Name : P\r\nRule Name : R\r\nFilterList Name : L\r\nFilterAction Name : A\r\nAuthentication Methods\r\nPreShared Key Value : Tangerine-Gondola\r\n", []string{"Tangerine-Gondola"}, 17, false},
		{"show all zh-CN", "策略名称 : P\r\nRule Name : R\r\nFilterList Name : L\r\n预共享密钥 : Quetzal五\r\n", []string{"Quetzal五"}, 8, false},
		// malformed
		{"unquoted key with spaces", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk=Hibiscus Lantern Okapi\r\n", []string{"Hibiscus", "Lantern", "Okapi"}, 22, true},
		{"unknown tag after psk", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk= Pelican=Saffron\r\n", []string{"Pelican", "Saffron"}, 0, true},
		{"bad value after psk", pre + "netsh ipsec static set defaultrule policy=P psk=Juniper42 activate=Juniper43\r\n", []string{"Juniper42", "Juniper43"}, 9, true},
		{"psk without =", pre + "netsh ipsec static add rule name=R policy=P filterlist=L filteraction=A psk Narwhal\r\n", []string{"Narwhal"}, 7, true},
		{"key cut by a pipe", "pushd ipsec static\r\nadd policy name=P\r\nadd rule name=R policy=P filterlist=L filteraction=A psk=Gazebo|add Vortex99 extra\r\npopd\r\n", []string{"Vortex99"}, 6, true},
		{"ipsecpol key with spaces", "ipsecpol -w REG -p P -r R -f 0+* -n PASS -a PRESHARE:Cobalt Meerkat -Fjord\r\n", []string{"Cobalt", "Meerkat", "Fjord"}, 6, true},
		{"ipsecpol mistyped PRESHARE", "ipsecpol -w REG -p P -r R -f 0+* -n PASS -a PRESHAR:Tundra88\r\n", []string{"Tundra88"}, 0, true},
		{"ipsecpol PRESHARED:, key quoted again later", `ipsecpol -w REG -p P -r R -f 0+* -n PASS -a PRESHARED:"Orca Velvet" -broken "Orca Velvet"` + "\r\n", []string{"Orca", "Velvet"}, 0, true},
		{"ipsecpol key without -a", "ipsecpol -w REG -p P -r R -f 0+* -n PASS PRESHARE:Lagoon55\r\n", []string{"Lagoon55"}, 0, true},
		{"listing key wrapped onto the next line", "Policy Name : P\r\nRule Name : R\r\nPreshared Key : Avalanche-\r\nMinotaur-Sextant\r\n", []string{"Avalanche", "Minotaur", "Sextant"}, 10, true},
		{"listing key truncated", "Policy Name : P\r\nRule Name : R\r\nPreshared Key : Umbrella...\r\n", []string{"Umbrella"}, 11, false},
		{"listing label not known", "Policy Name : P\r\nRule Name : R\r\nPre-Shared Secret Key : Kumquat31\r\n", []string{"Kumquat31"}, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Parse([]byte(c.text), "k.txt", Options{})
			if err != nil {
				t.Fatal(err)
			}
			all := everything(t, res)
			for _, w := range c.words {
				if strings.Contains(all, w) {
					t.Errorf("the key's %q is in the output:\n%.3000s", w, all)
				}
			}
			if c.wantDiag && !strings.Contains(all, model.Redacted) || c.name == "listing key truncated" && !strings.Contains(all, "pre-shared key value is truncated") {
				t.Errorf("no problem reported with %s:\n%s", model.Redacted, all)
			}
			if c.keyLength > 0 && !hasPSK(res, c.keyLength) {
				t.Errorf("no rule with a pre-shared key of %d characters:\n%.1500s", c.keyLength, all)
			}
		})
	}
}

func hasPSK(res *Result, n int) bool {
	for _, s := range res.Stores {
		for _, p := range s.Policies {
			for _, r := range p.Rules {
				for _, a := range r.Auth {
					if a.Kind == model.AuthPreshared && a.KeyLength == n {
						return true
					}
				}
			}
		}
	}
	return false
}
