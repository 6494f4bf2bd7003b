package flows

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/ipseclint/ipseclint/internal/model"
)

// policiesOf returns the policies that decide the host's flows, or
// notApplied when its IPSec service is disabled (then nothing does,
// whatever the policy holds), or why they cannot be judged.
func policiesOf(h *model.Host) (pol *model.Policy, pols []*model.Policy, notApplied, caveat, why string) {
	notApplied, caveat = serviceState(h)
	if notApplied != "" {
		return nil, nil, notApplied, "", ""
	}
	pol, pols, why = PolicyToJudge(h)
	return pol, pols, "", caveat, why
}

// serviceState says whether the IPSec Policy Agent applies the host's
// policy: notApplied when the service is disabled (no filter is loaded,
// GPIPSEC.md §1.5), caveat when it is set to start manually (whether it
// runs is not known offline).
func serviceState(h *model.Host) (notApplied, caveat string) {
	pf := h.Facts.Policy
	if !pf.Known || (pf.Value.State != model.PolicyAssigned && len(pf.Value.Persistent) == 0) {
		return "", ""
	}
	switch st := h.Service("PolicyAgent"); {
	case st == nil:
	case st.Disputed != "":
		return "", st.Disputed + ": whether the IPSec service (PolicyAgent) runs, and so whether its policy is applied, is not known"
	case st.Start == 4:
		return "the IPSec service (PolicyAgent) is disabled, so no filter of its policy is applied", ""
	case st.Start == 3:
		return "", "the IPSec service (PolicyAgent) starts manually: whether it runs, and so whether its policy is applied, is not known offline"
	}
	return "", ""
}

// applyService records the IPSec service's state on the flow.
func (fl *Flow) applyService(notApplied, caveat string) {
	fl.NotApplied = notApplied
	if caveat != "" {
		// A doubt about the whole policy: what it encrypts is then not a
		// pass either.
		fl.Match.Uncertain = append(slices.Clip(fl.Match.Uncertain), caveat)
		fl.Match.PolicyDoubts = append(slices.Clip(fl.Match.PolicyDoubts), caveat)
	}
}

// sendsFrom returns the addresses a front-end opens connections to the
// back-end from: its own addresses but its NLB cluster (virtual)
// addresses, since an NLB host opens connections from its dedicated
// address (DOMAIN.md §2, NLB). One invalid address when its addresses
// are unknown: "this host", matching "me" filters only.
func sendsFrom(h *model.Host) []netip.Addr {
	var out []netip.Addr
	for _, ip := range h.Facts.Addresses.Value {
		if !slices.Contains(h.Facts.NLB.Value.ClusterIPs, ip) {
			out = append(out, ip)
		}
	}
	if len(out) == 0 {
		return []netip.Addr{{}}
	}
	return out
}

// frontEndSources returns the addresses front-ends send from (see
// sendsFrom), sorted by address (then in fleet order). gaps lists
// front-ends whose addresses are unknown.
func frontEndSources(f *model.Fleet) (srcs []Source, gaps []string) {
	for _, h := range f.WithRole(model.RoleFrontEnd) {
		if !h.Facts.Addresses.Known {
			gaps = append(gaps, h.Name+": "+h.Facts.Addresses.Via)
			continue
		}
		for _, ip := range sendsFrom(h) {
			if ip.IsValid() {
				srcs = append(srcs, Source{h, ip})
			}
		}
	}
	slices.SortStableFunc(srcs, func(a, b Source) int { return a.IP.Compare(b.IP) })
	return srcs, gaps
}

// backEndTargets returns the addresses front-ends reach back-end h on:
// its own targets among all, else the declared virtual addresses that no
// back-end of the exports claims, else its own addresses.
func backEndTargets(h *model.Host, all []model.Target) []model.Target {
	var own, declared []model.Target
	for _, t := range all {
		switch t.Backend {
		case h.Name:
			own = append(own, t)
		case "":
			declared = append(declared, t)
		}
	}
	if len(own) == 0 {
		own = declared
	}
	if len(own) == 0 {
		for _, ip := range h.Facts.Addresses.Value {
			own = append(own, model.Target{IP: ip, Backend: h.Name, Origin: "back-end's own address", Loc: h.Facts.Addresses.Source})
		}
	}
	return own
}

// inboundJobs returns the jobs that evaluate, for every back-end, a TCP
// packet from every front-end address to each of the back-end's
// addresses on each port, with the back-end's assigned policy ("me" is
// the back-end, virtual addresses included). A clustered back-end whose
// virtual addresses are unknown is a gap: its node's own addresses are
// not where the front-ends' traffic arrives.
func (a *Analysis) inboundJobs() []job {
	f := a.Fleet
	backends := f.WithRole(model.RoleBackEnd)
	if len(backends) == 0 {
		return nil
	}
	srcs, gaps := frontEndSources(f)
	a.sources = srcs
	all, unknown := f.BackendTargets()
	byBackend := map[string][]model.Target{}
	for _, t := range all {
		byBackend[t.Backend] = append(byBackend[t.Backend], t)
	}
	ips := make([]netip.Addr, len(srcs))
	for i, s := range srcs {
		ips[i] = s.IP
	}
	in := inbound{srcs: srcs, peers: model.NewPeerSet(ips), gaps: gaps}
	jobs := make([]job, len(backends))
	for i, h := range backends {
		if j := slices.IndexFunc(unknown, func(u UnknownBackend) bool { return u.Host == h }); j >= 0 && unknown[j].Clustered() {
			// Front-ends reach a clustered back-end on its virtual
			// addresses, not on its node's: its node's addresses would
			// judge traffic that does not happen.
			g := Gap{Side: Inbound, Host: h, Reason: "the front-ends reach it on its virtual addresses, which are unknown: " + unknown[j].Why}
			if known := byBackend[h.Name]; len(known) > 0 {
				// Some are known (another Exchange virtual server's): they
				// are judged, and the gap covers the rest.
				g.Reason = "the front-ends reach it on virtual addresses of which some are unknown: " + unknown[j].Why
				g.Backends = []*model.Host{h}
				dsts := backEndTargets(h, append(known, byBackend[""]...))
				jobs[i] = func(w *worker) hostFlows {
					hf := in.of(h, dsts, w)
					hf.gaps = append(hf.gaps, g)
					return hf
				}
				continue
			}
			jobs[i] = func(*worker) hostFlows { return hostFlows{gaps: []Gap{g}} }
			continue
		}
		dsts := backEndTargets(h, append(byBackend[h.Name], byBackend[""]...))
		jobs[i] = func(w *worker) hostFlows { return in.of(h, dsts, w) }
	}
	return jobs
}

// inbound is what every back-end's inbound flows share: the front-ends'
// addresses (srcs; peers are their addresses) and the front-ends whose
// addresses are unknown.
type inbound struct {
	srcs  []Source
	peers model.PeerSet
	gaps  []string
}

// of analyses back-end h's flows to its addresses dsts.
func (in inbound) of(h *model.Host, dsts []model.Target, w *worker) hostFlows {
	gap := func(why string) hostFlows { return hostFlows{gaps: []Gap{{Side: Inbound, Host: h, Reason: why}}} }
	if len(in.srcs) == 0 {
		why := "no front-end is among the exports, so the addresses the back-end receives Exchange traffic from are unknown"
		if len(in.gaps) > 0 {
			why = "the front-ends' addresses are unknown: " + strings.Join(in.gaps, "; ")
		}
		return gap(why)
	}
	if len(dsts) == 0 {
		return gap("the back-end's own and virtual addresses are unknown: " + h.Facts.Addresses.Via)
	}
	pol, pols, notApplied, caveat, why := policiesOf(h)
	if why != "" {
		return gap(why)
	}
	var gaps []Gap
	if len(in.gaps) > 0 {
		gaps = gap("not evaluated for front-ends whose addresses are unknown: " + strings.Join(in.gaps, "; ")).gaps
	}
	in.flowsOf(h, inboundPolicy{pol, pols, notApplied, caveat}, dsts, w)
	return w.done(gaps)
}

// inboundPolicy is what decides a back-end's inbound flows.
type inboundPolicy struct {
	pol                *model.Policy
	pols               []*model.Policy
	notApplied, caveat string
}

// flowsOf adds back-end h's flows to w's.
func (in inbound) flowsOf(h *model.Host, ip inboundPolicy, dsts []model.Target, w *worker) {
	me := append([]netip.Addr(nil), h.Facts.Addresses.Value...)
	for _, t := range dsts {
		if !slices.Contains(me, t.IP) {
			me = append(me, t.IP)
		}
	}
	splits := w.hostSplits(h)
	ms := w.matchers(len(dsts))
	for i, t := range dsts {
		ms[i].Reset(ip.pols, model.Packet{Dst: t.IP, DstIsMe: true, Me: me, Protocol: TCP, DstPort: ExchangePorts[0]}, false)
	}
	for _, port := range ExchangePorts {
		for i := range dsts {
			t := &dsts[i]
			m := ms[i].SetPorts(0, port)
			w.runs = m.AppendRuns(w.runs[:0], in.peers, splits)
			for _, run := range w.runs {
				fl := Flow{Side: Inbound, Host: h, Policy: ip.pol, Policies: ip.pols, target: t, Port: port,
					Froms: in.srcs[run.Start:run.End:run.End], me: me, Match: run.Match, lo: int32(run.Start), hi: int32(run.End)}
				fl.applyService(ip.notApplied, ip.caveat)
				w.push(fl)
			}
		}
	}
}
