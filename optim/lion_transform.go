package optim

// ScaleByLion returns the Lion transform (Chen et al., "Symbolic
// Discovery of Optimization Algorithms"; optax scale_by_lion). For each
// element:
//
//	c ← β1·m + (1−β1)·u
//	m ← β2·m + (1−β2)·u
//	u ← sign(c)
//
// with sign(±0) = 0 (no move) and sign(NaN) = NaN. The state is "exp_avg"
// (m), starting at zero. The caller validates β1 and β2 (NewLion does).
func ScaleByLion(beta1, beta2 float64) Transform { return &scaleByLion{b1: beta1, b2: beta2} }

type scaleByLion struct{ b1, b2 float64 }

var lionStateNames = []string{"exp_avg"}

func (*scaleByLion) Name() string           { return "scale_by_lion" }
func (*scaleByLion) StateNames() []string   { return lionStateNames }
func (*scaleByLion) Init(n int) [][]float32 { return zeros(1, n) }

func (l *scaleByLion) Update(slots []Slot) {
	b1, omb1 := float32(l.b1), float32(1-l.b1)
	b2, omb2 := float32(l.b2), float32(1-l.b2)
	for i := range slots {
		s := &slots[i]
		st := stateOf(l, s, 1)
		u, m := s.U, st[0][:len(s.U)]
		for j, g := range u {
			c := b1*m[j] + omb1*g
			m[j] = b2*m[j] + omb2*g
			switch {
			case c > 0:
				u[j] = 1
			case c < 0:
				u[j] = -1
			default:
				u[j] = c // ±0 or NaN
			}
		}
	}
}
