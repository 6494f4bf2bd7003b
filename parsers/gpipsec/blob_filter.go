package gpipsec

// filterBlob is an ipsecFilter blob (a filter list; [MS-GPIPSEC]
// §2.2.1.5.1; GPIPSEC.md §3.5).
type filterBlob struct {
	blobStatus
	Specs   []filterSpecBlob
	SpecsOK bool
	// V2 is the offset of a Vista+ V2 section, 0 when there is none.
	V2 int
}

// filterSpecBlob is one legacy filter spec.
type filterSpecBlob struct {
	Off              int
	SrcName, DstName string
	Description      string
	ID               guid
	Mirror           uint32
	Src, SrcMask     [4]byte
	Dst, DstMask     [4]byte
	Tunnel           [4]byte
	Protocol         uint32
	SrcPort, DstPort uint16
	IsTunnel         uint8
	Special          uint8
	Options          uint16
	FixedOff         int // offset of Filter-Specification-ID1
}

func decodeFilterBlob(b []byte) *filterBlob {
	p := &filterBlob{}
	c := newCursor(b)
	if !header(c, &p.blobStatus, typeFilter, "ipsecFilter") {
		return p
	}
	n := c.count("Number-Of-Filters1", filterMinSize)
	start := c.off
	for i := 0; i < n && c.ok(); i++ {
		f := readFilterSpec(c, &p.blobStatus)
		if c.ok() {
			p.Specs = append(p.Specs, f)
		}
	}
	p.SpecsOK = c.ok()
	specs := c.off - start
	if c.peekGUID(typeFilterV2) {
		p.V2 = c.off
		readFilterV2(c, p, n)
	} else {
		tail(c, &p.blobStatus, "filters")
	}
	p.finish(c)
	if p.V2 == 0 {
		// [W2K]: 4 + specs, then 00; [MODERN]: specs only (GPIPSEC.md §2.4).
		checkDL(&p.blobStatus, "ipsecFilter", 4+specs, specs)
	}
	return p
}

func readFilterSpec(c *cursor, s *blobStatus) filterSpecBlob {
	f := filterSpecBlob{Off: c.off}
	f.SrcName = readWstr(c, s, "Source-DNS-Name1").V
	f.DstName = readWstr(c, s, "Destination-DNS-Name1").V
	f.Description = readWstr(c, s, "Filter-Description1").V
	f.FixedOff = c.off
	f.ID = c.guid("Filter-Specification-ID1")
	f.Mirror = c.u32("Legacy-Mirror-Options")
	f.Src = c.ipv4("Legacy-Source-Address")
	f.SrcMask = c.ipv4("Legacy-Source-Mask")
	f.Dst = c.ipv4("Legacy-Destination-Address")
	f.DstMask = c.ipv4("Legacy-Destination-Mask")
	f.Tunnel = c.ipv4("Legacy-Tunnel-Address")
	f.Protocol = c.u32("Legacy-Protocol")
	f.SrcPort = c.u16("Legacy-Source-Port")
	f.DstPort = c.u16("Legacy-Destination-Port")
	f.IsTunnel = c.u8("Legacy-Is-Tunnel")
	f.Special = c.u8("Legacy-Special-Filter")
	f.Options = c.u16("Legacy-Filter-Options")
	return f
}

// readFilterV2 reads the header of a Vista+ V2 section (Filter-Policy-ID2,
// Data-Length2, Number-Of-Filters11, Number-Of-Filters2). A section that
// adds no filter and does not change the count is accepted; anything
// else is not decoded and makes the list's filters uncertain: the V2
// Filter-Spec2 layout has not been seen in any sample.
func readFilterV2(c *cursor, p *filterBlob, n int) {
	at := c.off
	c.guid("Filter-Policy-ID2")
	c.u32("Data-Length2")
	n11 := c.u32("Number-Of-Filters11")
	n2 := c.u32("Number-Of-Filters2")
	rest := c.left()
	emptyTail := rest == 0 || (rest == 1 && c.b[c.off] == 0)
	if c.ok() && n2 == 0 && (n11 == 0 || int64(n11) == int64(n)) && emptyTail {
		c.off = len(c.b)
		return
	}
	p.doubt(at, "filters", "a Vista+ V2 filter section ([MS-GPIPSEC] §2.2.1.5.1) with %d further filters (Number-Of-Filters11 %d); V2 filters, which may add to or replace the legacy ones, are not decoded", n2, n11)
	c.fail = nil
	c.off = len(c.b)
}
