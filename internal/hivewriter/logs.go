package hivewriter

import (
	"bytes"
	"encoding/binary"
)

// DirtyOld returns the two files a Windows 2000, XP or 2003 machine
// leaves when its write of after over before is cut short: the primary
// file, still holding before's hive bins under a base block marked as
// being written (the two sequence numbers differ), and its transaction
// log (SYSTEM.LOG) in the old format: after's base block (file type 1),
// the "DIRT" vector with one bit per 512-byte sector of the hive bins,
// and every sector of after's hive bins that differs from before's.
func DirtyOld(before, after *Hive) (primary, log []byte) {
	le := binary.LittleEndian
	seq := le.Uint32(before.Data[4:]) + 1
	primary = append([]byte{}, before.Data...)
	le.PutUint32(primary[4:], seq)
	le.PutUint32(primary[8:], seq-1)
	le.PutUint32(primary[0x1FC:], Checksum(primary))

	newBins, oldBins := after.Data[BaseBlockSize:], before.Data[BaseBlockSize:]
	vector := make([]byte, len(newBins)/0x1000)
	var sectors []byte
	for i := 0; i < len(newBins)/512; i++ {
		s := newBins[512*i : 512*i+512]
		if 512*i+512 <= len(oldBins) && bytes.Equal(s, oldBins[512*i:512*i+512]) {
			continue
		}
		vector[i/8] |= 1 << (i % 8)
		sectors = append(sectors, s...)
	}
	log = make([]byte, 512, 512+4+len(vector)+512+len(sectors))
	copy(log, after.Data[:512])
	le.PutUint32(log[4:], seq)
	le.PutUint32(log[8:], seq)
	le.PutUint32(log[0x1C:], 1) // transaction log, old format
	le.PutUint32(log[0x1FC:], Checksum(log))
	log = append(append(log, "DIRT"...), vector...)
	if r := len(log) % 512; r != 0 {
		log = append(log, make([]byte, 512-r)...)
	}
	return primary, append(log, sectors...)
}
