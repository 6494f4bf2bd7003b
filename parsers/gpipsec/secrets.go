package gpipsec

import (
	"fmt"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// scrub overwrites, in the registry's own Value.Data, the bytes of every
// NFA blob of the store that hold a pre-shared key (legacy part and
// Vista+ extension) or that could not be decoded and so may hold one.
// The value keeps its length; the bytes become zero.
func (sb *storeBuilder) scrub() {
	for _, o := range sb.byCls[clsNFA] {
		nb := sb.nfas[o]
		if nb == nil {
			if o.raw != nil && len(o.raw.Data) > 0 {
				n := zeroAll(o.raw.Data, []span{{0, len(o.raw.Data)}})
				sb.note(o.raw.Loc, fmt.Sprintf("%s: its %d bytes of ipsecData were not decoded and were blanked in memory, since they may hold a pre-shared key in clear", o.name, n))
			}
			continue
		}
		blanked := zeroAll(o.data.Data, nb.Secrets)
		if !onlyKeys(nb) {
			sb.note(o.dataLoc().at(0), fmt.Sprintf("%s: %d bytes of ipsecData that could not be decoded were blanked in memory, since they may hold a pre-shared key in clear", o.name, blanked))
		}
	}
}

// zeroAll clears every span of spans within data (bounded by it) and
// returns how many bytes they cover (a byte of spans that overlap counted
// once).
func zeroAll(data []byte, spans []span) int {
	covered := make([]bool, len(data))
	n := 0
	for _, s := range spans {
		end := min(s.Off+s.Len, len(data))
		for i := max(s.Off, 0); i < end; i++ {
			data[i] = 0
			if !covered[i] {
				covered[i] = true
				n++
			}
		}
	}
	return n
}

// onlyKeys reports whether every secret span of the blob is a decoded
// key (nothing undecoded was blanked).
func onlyKeys(nb *nfaBlob) bool {
	keys := map[span]bool{}
	for _, a := range nb.Auth {
		if a.Type == authTypePSK {
			keys[a.Data] = true
		}
	}
	if nb.Ext != nil {
		for _, a := range nb.Ext.Auth {
			if a.Type == authTypePSK {
				keys[a.Data] = true
			}
		}
	}
	for _, s := range nb.Secrets {
		if !keys[s] {
			return false
		}
	}
	return true
}

// scrubConflicts blanks the keys of NFA blobs that another source of the
// host overrode (Registry.Conflicts keeps the losing value, outside the
// tree): the same key, or an older one, may be in them.
func scrubConflicts(r *model.Registry) {
	for _, c := range r.Conflicts {
		_, name := lastComponent(c.Key)
		if c.Lost == nil || !strings.EqualFold(c.Lost.Name, "ipsecData") || !strings.HasPrefix(strings.ToLower(name), "ipsecnfa{") {
			continue
		}
		zeroAll(c.Lost.Data, decodeNFABlob(c.Lost.Data).Secrets)
	}
}

func lastComponent(path string) (parent, name string) {
	i := strings.LastIndexByte(path, '\\')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}
