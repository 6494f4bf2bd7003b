package regtest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"unicode/utf16"
)

// GenerateExport writes a regedit version 5 export (UTF-16LE with BOM,
// CRLF) of about size bytes, shaped like the export of a Windows Server
// 2003 server's whole HKEY_LOCAL_MACHINE: most of it COM classes and
// installer data under SOFTWARE, then SYSTEM with several control sets of
// services and enumerated devices, CurrentControlSet as a live regedit
// shows it, and the few keys an IPSec audit reads. Keys come in the depth-
// first order regedit writes, every intermediate key has its own section,
// and there are strings, DWORDs, hex(2), hex(7) and binary values wrapped
// at 80 columns. The same seed gives the same file. It returns the number
// of bytes written.
func GenerateExport(w io.Writer, size int64, seed uint64) (int64, error) {
	g := &exportGen{rng: rand.New(rand.NewPCG(seed, 0x5eed)), bw: bufio.NewWriterSize(w, 1<<20)}
	_, _ = g.bw.Write([]byte{0xFF, 0xFE}) // errors surface at Flush
	g.n = 2
	g.line("Windows Registry Editor Version 5.00")
	g.line("")
	g.key(`SOFTWARE`)
	g.key(`SOFTWARE\Classes`)
	g.key(`SOFTWARE\Classes\CLSID`)
	for i := 0; g.n < size*45/100; i++ {
		g.clsid(i)
	}
	g.key(`SOFTWARE\Microsoft`)
	g.key(`SOFTWARE\Microsoft\Windows NT`)
	g.key(`SOFTWARE\Microsoft\Windows NT\CurrentVersion`,
		str("CurrentVersion", "5.2"), str("CurrentBuildNumber", "3790"),
		str("CSDVersion", "Service Pack 2"), str("ProductName", "Microsoft Windows Server 2003"))
	products := `SOFTWARE\Microsoft\Windows\CurrentVersion\Installer\UserData\S-1-5-18\Products`
	for i := range strings.Count(products, `\`) - 1 {
		g.key(strings.Join(strings.Split(products, `\`)[:i+3], `\`))
	}
	for i := 0; g.n < size*65/100; i++ {
		g.product(i)
	}
	g.ipsecPolicy()
	g.key(`SYSTEM`)
	sets := []string{"ControlSet001", "ControlSet002", "CurrentControlSet"}
	for i, cs := range sets {
		g.controlSet(cs, g.n+(size-g.n)/int64(len(sets)-i))
	}
	g.key(`SYSTEM\Select`, dword("Current", 1), dword("Default", 1), dword("Failed", 0), dword("LastKnownGood", 2))
	g.line("")
	return g.n, g.bw.Flush()
}

type exportGen struct {
	rng *rand.Rand
	bw  *bufio.Writer
	n   int64
	buf []byte
}

// line writes one line of text in UTF-16LE, with CRLF.
func (g *exportGen) line(s string) {
	g.buf = g.buf[:0]
	for _, r := range s {
		if r < 0x80 {
			g.buf = append(g.buf, byte(r), 0)
			continue
		}
		for _, u := range utf16.AppendRune(nil, r) {
			g.buf = append(g.buf, byte(u), byte(u>>8))
		}
	}
	g.buf = append(g.buf, '\r', 0, '\n', 0)
	_, _ = g.bw.Write(g.buf) // errors surface at Flush
	g.n += int64(len(g.buf))
}

// A value line maker: given the writer, it writes the value's lines.
type val func(g *exportGen)

// key writes a key section with its values and the blank line after it.
func (g *exportGen) key(path string, values ...val) {
	g.line(`[HKEY_LOCAL_MACHINE\` + path + `]`)
	for _, v := range values {
		v(g)
	}
	g.line("")
}

var escaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

func quote(s string) string { return `"` + escaper.Replace(s) + `"` }

func name(n string) string {
	if n == "" {
		return "@"
	}
	return quote(n)
}

func str(n, s string) val {
	return func(g *exportGen) { g.line(name(n) + "=" + quote(s)) }
}

func dword(n string, d uint32) val {
	return func(g *exportGen) { g.line(fmt.Sprintf("%s=dword:%08x", name(n), d)) }
}

// hexv writes hex data wrapped as regedit wraps it.
func hexv(n, form string, data []byte) val {
	return func(g *exportGen) {
		var b strings.Builder
		b.WriteString(name(n) + "=" + form)
		col := b.Len()
		for i, c := range data {
			fmt.Fprintf(&b, "%02x", c)
			col += 2
			if i == len(data)-1 {
				break
			}
			b.WriteByte(',')
			col++
			if col >= 77 {
				b.WriteByte('\\')
				g.line(b.String())
				b.Reset()
				b.WriteString("  ")
				col = 2
			}
		}
		g.line(b.String())
	}
}

func utf16z(ss ...string) []byte {
	var b []byte
	for _, s := range ss {
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		b = append(b, 0, 0)
	}
	return b
}

func expand(n, s string) val { return hexv(n, "hex(2):", utf16z(s)) }
func multi(n string, ss ...string) val {
	return hexv(n, "hex(7):", append(utf16z(ss...), 0, 0))
}
func binaryv(n string, data []byte) val { return hexv(n, "hex:", data) }

func (g *exportGen) guid() string {
	r := g.rng
	return fmt.Sprintf("{%08X-%04X-%04X-%04X-%012X}", r.Uint32(), r.Uint32()&0xFFFF, r.Uint32()&0xFFFF, r.Uint32()&0xFFFF, r.Uint64()&0xFFFFFFFFFFFF)
}

func (g *exportGen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}

var words = []string{"Shell", "Network", "Provider", "Control", "Media", "Print", "Storage", "Crypto",
	"Service", "Handler", "Object", "Manager", "Session", "Filter", "Policy", "Agent", "Äußere", "Générique"}

func (g *exportGen) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[g.rng.IntN(len(words))]
	}
	return strings.Join(w, " ")
}

// clsid writes one COM class, as SOFTWARE\Classes\CLSID holds thousands.
func (g *exportGen) clsid(i int) {
	p := `SOFTWARE\Classes\CLSID\` + g.guid()
	g.key(p, str("", g.words(3)+fmt.Sprint(" ", i)))
	dll := strings.ToLower(strings.ReplaceAll(g.words(1), " ", "")) + fmt.Sprint(i%500) + ".dll"
	g.key(p+`\InprocServer32`, expand("", `%SystemRoot%\System32\`+dll), str("ThreadingModel", "Both"))
	if i%3 == 0 {
		g.key(p+`\ProgID`, str("", strings.ReplaceAll(g.words(2), " ", ".")+".1"))
	}
	if i%7 == 0 {
		g.key(p + `\Implemented Categories`)
		g.key(p + `\Implemented Categories\` + g.guid())
	}
}

// product writes one installed product, as the installer keeps them.
func (g *exportGen) product(i int) {
	p := fmt.Sprintf(`SOFTWARE\Microsoft\Windows\CurrentVersion\Installer\UserData\S-1-5-18\Products\%032X`, g.rng.Uint64())
	g.key(p)
	g.key(p+`\InstallProperties`,
		str("DisplayName", g.words(4)), str("Publisher", "Microsoft Corporation"),
		str("InstallDate", "20070312"), str("InstallSource", `C:\WINDOWS\Installer\`+g.guid()+`\`),
		str("UninstallString", `MsiExec.exe /X`+g.guid()), dword("VersionMajor", uint32(i%9)),
		dword("EstimatedSize", g.rng.Uint32()%100000), binaryv("ProductIcon", g.bytes(40+g.rng.IntN(90))))
}

func (g *exportGen) ipsecPolicy() {
	base := `SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy\Local`
	g.key(`SOFTWARE\Policies`)
	g.key(`SOFTWARE\Policies\Microsoft`)
	g.key(`SOFTWARE\Policies\Microsoft\Windows`)
	g.key(`SOFTWARE\Policies\Microsoft\Windows\IPSec`)
	g.key(`SOFTWARE\Policies\Microsoft\Windows\IPSec\Policy`)
	pol := `ipsecPolicy` + g.guid()
	g.key(base, str("ActivePolicy", base+`\`+pol))
	g.key(base+`\`+pol, str("ipsecName", "Front-end to back-end"), binaryv("ipsecData", g.bytes(180)),
		dword("ipsecDataType", 0x100))
}

var services = []string{"Alerter", "ALG", "BITS", "ClusSvc", "Dhcp", "Dnscache", "EventLog", "HTTP",
	"IISADMIN", "IMAP4Svc", "IPSEC", "LanmanServer", "LanmanWorkstation", "MSExchangeIS", "MSExchangeSA",
	"Netlogon", "NtLmSsp", "PolicyAgent", "POP3Svc", "RemoteRegistry", "RpcSs", "SamSs", "Schedule",
	"SMTPSVC", "Tcpip", "W32Time", "W3SVC", "WLBS", "Winmgmt"}

// controlSet writes one control set, until the file reaches until bytes:
// Control, many enumerated devices, then services (with the IPSec ones).
func (g *exportGen) controlSet(cs string, until int64) {
	p := `SYSTEM\` + cs
	g.key(p)
	g.key(p + `\Control`)
	g.key(p + `\Control\ComputerName`)
	g.key(p+`\Control\ComputerName\ComputerName`, str("ComputerName", "EXFE01"))
	g.key(p+`\Control\ProductOptions`, str("ProductType", "ServerNT"), multi("ProductSuite", "Enterprise", ""))
	g.key(p + `\Enum`)
	g.key(p + `\Enum\PCI`)
	// About 300 services, as on a real server; devices fill the rest.
	const serviceBytes = 300 * 3000
	for i := 0; g.n < until-serviceBytes; i++ {
		g.device(p, i)
	}
	g.key(p + `\Services`)
	for i := 0; i < 300/len(services); i++ {
		for _, s := range services {
			g.service(p, s, i)
		}
	}
}

func (g *exportGen) device(p string, i int) {
	ven := fmt.Sprintf(`VEN_%04X&DEV_%04X&SUBSYS_%08X&REV_%02X`, g.rng.IntN(0x10000), g.rng.IntN(0x10000), g.rng.Uint32(), i%256)
	dp := p + `\Enum\PCI\` + ven + fmt.Sprintf(`\3&61aaa01&0&%02X`, i%256)
	g.key(p + `\Enum\PCI\` + ven)
	g.key(dp,
		multi("HardwareID", `PCI\`+ven, `PCI\`+ven[:17]),
		multi("CompatibleIDs", `PCI\`+ven[:8], `PCI\CC_020000`, `PCI\CC_0200`),
		str("Class", "Net"), str("ClassGUID", g.guid()), str("Driver", g.guid()+`\0000`),
		str("Mfg", g.words(2)), str("DeviceDesc", g.words(3)), dword("ConfigFlags", 0),
		dword("Capabilities", 0x16), dword("UINumber", uint32(i%32)))
	g.key(dp+`\Control`, binaryv("AllocConfig", g.bytes(80+g.rng.IntN(60))))
	g.key(dp+`\LogConf`, binaryv("BasicConfigVector", g.bytes(100+g.rng.IntN(120))))
}

// service writes a service key; round > 0 gives further, numbered ones so
// that the section can be as big as wanted.
func (g *exportGen) service(p, name string, round int) {
	if round > 0 {
		name = fmt.Sprintf("%s%d", name, round)
	}
	sp := p + `\Services\` + name
	g.key(sp, dword("Type", 0x20), dword("Start", 2), dword("ErrorControl", 1),
		expand("ImagePath", `%SystemRoot%\system32\svchost.exe -k netsvcs`),
		str("DisplayName", g.words(2)), str("ObjectName", "LocalSystem"),
		str("Description", g.words(12)), multi("DependOnService", "RpcSs", "Tcpip"))
	g.key(sp+`\Security`, binaryv("Security", g.bytes(160)))
	g.key(sp+`\Enum`, str("0", `Root\LEGACY_`+strings.ToUpper(name)+`\0000`), dword("Count", 1), dword("NextInstance", 1))
	switch name {
	case "PolicyAgent":
		g.key(sp+`\Oakley`, dword("NLBSFlags", 1))
	case "IPSEC":
		g.key(sp, dword("NoDefaultExempt", 1))
	case "Tcpip":
		g.key(sp + `\Parameters`)
		g.key(sp + `\Parameters\Interfaces`)
		g.key(sp+`\Parameters\Interfaces\`+g.guid(), multi("IPAddress", "10.0.0.21"), multi("SubnetMask", "255.255.255.0"), dword("EnableDHCP", 0))
	}
}
