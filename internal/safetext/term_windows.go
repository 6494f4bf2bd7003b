//go:build windows

package safetext

import "golang.org/x/sys/windows"

// terminalColumns returns the width of the console window on fd, or 0.
func terminalColumns(fd uintptr) int {
	var info windows.ConsoleScreenBufferInfo
	if err := windows.GetConsoleScreenBufferInfo(windows.Handle(fd), &info); err != nil {
		return 0
	}
	return int(info.Window.Right) - int(info.Window.Left) + 1
}
