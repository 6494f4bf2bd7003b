package fleetgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/ipseclint/ipseclint/internal/model"
)

// builtinPolicies are the three policies every Windows 2000/2003 local
// store holds, with the identifiers Windows gives them.
var builtinPolicies = []struct{ id, name, desc string }{
	{"{72385230-70fa-11d1-864c-14a300000000}", "Client (Respond Only)",
		"Communicate normally (unsecured). Use the default response rule to negotiate with servers that request security. Only the requested protocol and port traffic with that server is secured."},
	{"{72385236-70fa-11d1-864c-14a300000000}", "Server (Request Security)",
		"For all IP traffic, always request security using Kerberos trust. Allow unsecured communication with clients that do not respond to request."},
	{"{7238523c-70fa-11d1-864c-14a300000000}", "Secure Server (Require Security)",
		"For all IP traffic, always require security using Kerberos trust. Do NOT allow unsecured communication with untrusted clients."},
}

// ownPolicy names the host's own IPSec policy and describes it.
func ownPolicy(h *host) (name, desc string) {
	switch {
	case h.Windows2000:
		return "Exchange BE Legacy", "Require ESP from the front-ends"
	case h.Role == RoleFrontEnd:
		return "Exchange FE-BE", "Encrypt front-end to back-end traffic (KB 821839)"
	}
	return "Exchange BE", "Require ESP from the front-ends (KB 821839)"
}

// hasOwnPolicy and policyAssigned say whether the host's store holds its
// own policy, and whether that policy is assigned.
func hasOwnPolicy(h *host) bool   { return !h.has(FaultNoPolicy) }
func policyAssigned(h *host) bool { return hasOwnPolicy(h) && !h.has(FaultPolicyNotAssigned) }

// softwareTree is the host's HKLM\SOFTWARE as far as an auditor exports
// it: the Windows version, installed updates, Exchange's setup key and
// the IPSec local store's policy objects.
func softwareTree(h *host, rng *rand.Rand) *model.RegTree {
	r := newRegKeys()
	currentVersion(r, h, rng)
	updates(r, h, rng)
	r.key(`SOFTWARE\Microsoft\Exchange\Setup`, sz("Services", `C:\Program Files\Exchsrvr`),
		sz("MsiInstallPath", `C:\Program Files\Exchsrvr\`), dw("MsiProductMajor", 6), dw("MsiProductMinor", 5),
		dw("NewestBuild", 7638), dw("ServicePackBuild", 7638), dw("ServicePackNumber", 2), dw("Services Version", 65))
	local := model.KeyIPSecLocal
	r.key(`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy`)
	stamp := uint32(0x40000000 + rng.IntN(0x08000000))
	var values []*model.Value
	for _, p := range builtinPolicies {
		r.key(local+`\ipsecPolicy`+p.id, sz("ClassName", "ipsecPolicy"), sz("description", p.desc),
			sz("ipsecID", p.id), sz("ipsecName", p.name), dw("whenChanged", stamp))
	}
	if hasOwnPolicy(h) {
		id := guid(rng)
		name, desc := ownPolicy(h)
		r.key(local+`\ipsecPolicy`+id, sz("ClassName", "ipsecPolicy"), sz("description", desc),
			sz("ipsecID", id), sz("ipsecName", name), dw("whenChanged", stamp+uint32(rng.IntN(1<<20))))
		if policyAssigned(h) {
			values = append(values, sz("ActivePolicy", local+`\ipsecPolicy`+id))
		}
	}
	r.key(local, values...)
	return r.tree
}

func currentVersion(r regKeys, h *host, rng *rand.Rand) {
	sp, lab := "Service Pack 2", "3790.srv03_sp2_rtm.070216-1710"
	if rng.IntN(3) == 0 {
		sp, lab = "Service Pack 1", "3790.srv03_sp1_rtm.050324-1447"
	}
	values := []*model.Value{sz("CurrentVersion", "5.2"), sz("CurrentBuildNumber", "3790"), sz("CSDVersion", sp),
		sz("ProductName", "Microsoft Windows Server 2003"), sz("BuildLab", lab), sz("SystemRoot", `C:\WINDOWS`),
		sz("PathName", `C:\WINDOWS`)}
	if h.Windows2000 {
		values = []*model.Value{sz("CurrentVersion", "5.0"), sz("CurrentBuildNumber", "2195"), sz("CSDVersion", "Service Pack 4"),
			sz("ProductName", "Microsoft Windows 2000"), sz("SystemRoot", `C:\WINNT`), sz("PathName", `C:\WINNT`)}
	}
	values = append(values, sz("CurrentType", "Multiprocessor Free"), sz("SoftwareType", "SYSTEM"),
		sz("RegisteredOwner", organisation+" IT"), sz("RegisteredOrganization", organisation),
		dw("InstallDate", uint32(0x3F000000+rng.IntN(0x08000000))),
		sz("ProductId", fmt.Sprintf("69712-%03d-%07d-%05d", rng.IntN(1000), rng.IntN(10000000), rng.IntN(100000))),
		bin("DigitalProductId", randomBytes(rng, 164)))
	r.key(model.KeyCurrentVersion, values...)
}

// updates writes the installed updates, as Windows Update records them.
func updates(r regKeys, h *host, rng *rand.Rand) {
	branch := `SOFTWARE\Microsoft\Updates\Windows Server 2003\SP2\`
	product := "Windows Server 2003"
	if h.Windows2000 {
		branch, product = `SOFTWARE\Microsoft\Updates\Windows 2000\SP5\`, "Windows 2000"
	}
	kinds := []string{"Security Update", "Update", "Hotfix"}
	for range 2 + rng.IntN(4) {
		kb := fmt.Sprintf("KB%d", 820000+rng.IntN(140000))
		kind := kinds[rng.IntN(len(kinds))]
		r.key(branch+kb, sz("Description", fmt.Sprintf("%s for %s (%s)", kind, product, kb)),
			sz("InstalledDate", fmt.Sprintf("%d/%d/%d", 1+rng.IntN(12), 1+rng.IntN(28), 2004+rng.IntN(5))),
			sz("InstalledBy", "Administrator"), sz("Type", kind), sz("PackageName", kb), dw("PackageVersion", 1))
	}
}

// clusterTree is the cluster hive (HKLM\Cluster) of c, the same on both
// nodes: the cluster's own group and one Exchange virtual server group,
// with the resources and their dependencies.
func clusterTree(c *cluster, seed uint64) *model.RegTree {
	rng := rand.New(rand.NewPCG(seed, 0xc1a5<<48|c.id))
	r := newRegKeys()
	r.key(`Cluster`, sz("ClusterName", c.name), sz("Description", ""))
	type res struct{ name, typ string }
	resources := []res{
		{"Cluster IP Address", "IP Address"}, {"Cluster Name", "Network Name"}, {"Disk Q:", "Physical Disk"},
		{c.evs + " IP Address", "IP Address"}, {c.evs + " Network Name", "Network Name"}, {"Disk S:", "Physical Disk"},
		{"Exchange System Attendant - " + c.evs, "Microsoft Exchange System Attendant"},
		{"Exchange Information Store Instance - " + c.evs, "Microsoft Exchange Information Store Instance"},
		{"Exchange Message Transfer Agent Instance - " + c.evs, "Microsoft Exchange Message Transfer Agent Instance"},
		{"Exchange Routing Service Instance - " + c.evs, "Microsoft Exchange Routing Service Instance"},
	}
	ids := make([]string, len(resources))
	for i := range ids {
		ids[i] = guid(rng)
	}
	depends := map[int][]int{1: {0}, 4: {3}, 6: {4, 5}, 7: {6}, 8: {6}, 9: {6}}
	for i, rs := range resources {
		p := `Cluster\Resources\` + ids[i]
		values := []*model.Value{sz("Name", rs.name), sz("Type", rs.typ), dw("PersistentState", 1),
			dw("RestartAction", 2), dw("RestartThreshold", 3), dw("RestartPeriod", 900000), dw("PendingTimeout", 180000)}
		if deps := depends[i]; len(deps) > 0 {
			var names []string
			for _, d := range deps {
				names = append(names, ids[d])
			}
			values = append(values, multi("DependsOn", names...))
		}
		r.key(p, values...)
	}
	ipParams := func(i int, ip netip.Addr) {
		r.key(`Cluster\Resources\`+ids[i]+`\Parameters`, sz("Address", ip.String()), sz("SubnetMask", "255.255.255.0"),
			sz("Network", "Public"), dw("EnableNetBIOS", 1))
	}
	ipParams(0, c.ip)
	ipParams(3, c.evsIP)
	r.key(`Cluster\Resources\`+ids[1]+`\Parameters`, sz("Name", c.name))
	r.key(`Cluster\Resources\`+ids[4]+`\Parameters`, sz("Name", c.evs))
	for _, disk := range []int{2, 5} {
		r.key(`Cluster\Resources\`+ids[disk]+`\Parameters`, dw("Signature", rng.Uint32()))
	}
	r.key(`Cluster\Groups\`+guid(rng), sz("Name", "Cluster Group"), multi("Contains", ids[:3]...), dw("PersistentState", 1))
	r.key(`Cluster\Groups\`+guid(rng), sz("Name", c.evs), multi("Contains", ids[3:]...), dw("PersistentState", 1))
	for i, n := range c.nodes {
		r.key(fmt.Sprintf(`Cluster\Nodes\%d`, i+1), sz("NodeName", n))
	}
	public := netip.AddrFrom4([4]byte{c.ip.As4()[0], c.ip.As4()[1], c.ip.As4()[2], 0})
	r.key(`Cluster\Networks\`+guid(rng), sz("Name", "Public"), dw("Role", 3), sz("Address", public.String()),
		sz("AddressMask", "255.255.255.0"), sz("Description", ""))
	r.key(`Cluster\Networks\`+guid(rng), sz("Name", "Private"), dw("Role", 1), sz("Address", heartbeatNet(c, 0).String()),
		sz("AddressMask", "255.255.255.0"), sz("Description", "Heartbeat"))
	return r.tree
}
