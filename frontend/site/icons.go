//go:build !wasm

package site

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
)

var (
	brand = color.RGBA{0x35, 0x53, 0xd6, 0xff}
	white = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// writeIcons draws the PNG icons the manifest names (the same mark as
// icon.svg: a white ring and bar on the brand colour), so no icon is
// fetched from anywhere else.
func writeIcons(dir string) error {
	for _, ic := range []struct {
		name     string
		size     int
		maskable bool
	}{{"icon-192.png", 192, false}, {"icon-512.png", 512, false}, {"icon-maskable.png", 512, true}} {
		f, err := os.Create(filepath.Join(dir, ic.name))
		if err != nil {
			return fmt.Errorf("site: icon: %w", err)
		}
		err = png.Encode(f, drawIcon(ic.size, ic.maskable))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("site: icon %s: %w", ic.name, err)
		}
	}
	return writeFavicon(filepath.Join(filepath.Dir(dir), "favicon.ico"))
}

// writeFavicon writes /favicon.ico (browsers ask for it whatever the page
// links): an ICO directory of one 48×48 PNG image.
func writeFavicon(path string) error {
	var img bytes.Buffer
	if err := png.Encode(&img, drawIcon(48, false)); err != nil {
		return fmt.Errorf("site: favicon: %w", err)
	}
	var ico bytes.Buffer
	le := binary.LittleEndian
	ico.Write(le.AppendUint16(le.AppendUint16(le.AppendUint16(nil, 0), 1), 1)) // reserved, type icon, one image
	ico.Write([]byte{48, 48, 0, 0})                                            // width, height, no palette, reserved
	ico.Write(le.AppendUint16(le.AppendUint16(nil, 1), 32))                    // planes, bits per pixel
	ico.Write(le.AppendUint32(le.AppendUint32(nil, uint32(img.Len())), 22))    // size, offset (6 + 16)
	ico.Write(img.Bytes())
	if err := os.WriteFile(path, ico.Bytes(), 0o644); err != nil {
		return fmt.Errorf("site: favicon: %w", err)
	}
	return nil
}

func drawIcon(size int, maskable bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	radius := s * 0.22 // rounded square; a maskable icon fills the square
	if maskable {
		radius = 0
	}
	c := s / 2
	for y := range size {
		for x := range size {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			if !inRoundedSquare(fx, fy, s, radius) {
				continue
			}
			img.Set(x, y, brand)
			d := dist(fx, fy, c*0.82, c)
			ring := d > s*0.14 && d < s*0.21
			bar := fx > c*0.82+s*0.17 && fx < s*0.8 && fy > c-s*0.04 && fy < c+s*0.04
			tooth := slices.ContainsFunc([]float64{0.66, 0.74}, func(t float64) bool {
				return fx > s*t && fx < s*t+s*0.045 && fy >= c && fy < c+s*0.13
			})
			if ring || bar || tooth {
				img.Set(x, y, white)
			}
		}
	}
	return img
}

func inRoundedSquare(x, y, s, r float64) bool {
	cx := min(max(x, r), s-r)
	cy := min(max(y, r), s-r)
	return dist(x, y, cx, cy) <= r || r == 0
}

func dist(x1, y1, x2, y2 float64) float64 {
	dx, dy := x1-x2, y1-y2
	return sqrt(dx*dx + dy*dy)
}

func sqrt(v float64) float64 {
	if v <= 0 {
		return 0
	}
	z := v
	for range 20 {
		z = (z + v/z) / 2
	}
	return z
}
