package optim

import (
	"math"

	"github.com/gograd/gograd/asm"
	"github.com/gograd/gograd/autodiff"
)

// SMBConfig holds the hyperparameters of NewSMB.
type SMBConfig struct {
	LR  float32 // α > 0, the trial step length (the group LR)
	Eta float64 // η in (0, 1], in σ = ½(‖s‖·(‖y‖ + ‖g‖/η) − yᵀs)
	C   float64 // c in (0, 1), the Armijo constant
}

// DefaultSMB returns the authors' defaults (sibirbil/SMB): α = 1,
// η = 0.99, c = 0.1.
func DefaultSMB() SMBConfig { return SMBConfig{LR: 1, Eta: 0.99, C: 0.1} }

// NewSMB returns stochastic model building (Birbil et al., "Bolstering
// Stochastic Gradient Descent with Model Building"; METHODS 3.6, verified
// against sibirbil/SMB smb/smb.py @97ed9c8). All parameters form one
// group (dot products over all of them). With f and g the minibatch loss
// and gradient at θ:
//
//	s = −α·g ;  try θ + s
//	if f(θ+s) ≤ f(θ) − c·α·‖g‖²:  θ ← θ + s                (an SGD step)
//	else:  y = ∇f(θ+s) − g   (same minibatch)
//	       σ = ½(‖s‖·(‖y‖ + ‖g‖/η) − yᵀs) ;  Θ = (yᵀs + 2σ)² − ‖s‖²‖y‖²
//	       c_g = −‖s‖²/(2σ)
//	       c_s = (c_g/Θ)·(−(yᵀs+2σ)·yᵀg + ‖y‖²·sᵀg)
//	       c_y = (c_g/Θ)·(−(yᵀs+2σ)·sᵀg + ‖s‖²·yᵀg)
//	       θ ← θ + c_s·s + c_g·g + c_y·y
//
// Each step costs two forward passes (Slot.Obj.Loss at θ and θ+s) and,
// when the trial is rejected, a backward pass (Slot.Obj.Gradient, which
// leaves ∇f(θ+s) in the parameters' Grad), so it needs StepWith. The
// optional per-epoch auto-schedule of α (scale by β when the fraction of
// model steps exceeds γ) is not implemented: the optimizer does not see
// epochs; change α with SetLR. The chain is ScaleBySMB alone (it reads
// α from the group LR). A degenerate model step (σ ≤ 0, or coefficients
// that are not finite, as when Θ underflows at a minimum) is skipped:
// θ stays. The state is "smb_params", a scratch copy of θ
// (the trial step is recomputed from g). NewSMB returns a
// *HyperparameterError for α not positive, η outside (0, 1] or c outside
// (0, 1).
func NewSMB(params []*autodiff.Var, cfg SMBConfig) (*Optimizer, error) {
	if err := checkRange("smb", "lr", float64(cfg.LR), 0, inf, true, true); err != nil {
		return nil, err
	}
	if err := checkRange("smb", "eta", cfg.Eta, 0, 1, true, false); err != nil {
		return nil, err
	}
	if err := checkRange("smb", "c", cfg.C, 0, 1, true, true); err != nil {
		return nil, err
	}
	return NewFromTransform("smb", params, ScaleBySMB(cfg.Eta, cfg.C), cfg.LR, 0)
}

// ScaleBySMB returns the SMB step of NewSMB as a transform whose output u
// is the whole displacement θ − θ_new (α is the group LR, so it must not
// be followed by ScaleByLR). The caller validates η and c.
func ScaleBySMB(eta, c float64) Transform { return &scaleBySMB{eta: eta, c: c} }

type scaleBySMB struct{ eta, c float64 }

var smbNames = []string{"smb_params"}

func (*scaleBySMB) Name() string           { return "scale_by_smb" }
func (*scaleBySMB) StateNames() []string   { return smbNames }
func (*scaleBySMB) Init(n int) [][]float32 { return zeros(1, n) }
func (*scaleBySMB) NeedsObjective() bool   { return true }

func (t *scaleBySMB) Update(slots []Slot) {
	if len(slots) == 0 {
		return
	}
	for i := range slots {
		stateOf(t, &slots[i], 1)
	}
	obj := stepObjective(t, slots)
	alpha := float64(slots[0].LR)
	f0 := float64(obj.Loss())
	gg := sumSq(slots, pickU)
	a32 := float32(alpha)
	for i := range slots { // θ + s, s = −α·g
		s := &slots[i]
		copy(s.State()[0], s.P)
		asm.Axpy(s.P, -a32, s.U)
	}
	f1 := float64(obj.Loss())
	if f1 <= f0-t.c*alpha*gg {
		restoreParams(slots, 0)
		for i := range slots {
			asm.Scale(slots[i].U, a32)
		}
		return
	}
	obj.Gradient() // ∇f(θ+s) in G
	var yy, yg float64
	for i := range slots {
		s := &slots[i]
		yy += diffSumSq(s.G, s.U)
		yg += float64(asm.Dot(s.G[:len(s.U)], s.U)) - float64(asm.Dot(s.U, s.U))
	}
	restoreParams(slots, 0)
	ss, ys, sg := alpha*alpha*gg, -alpha*yg, -alpha*gg
	sigma := 0.5 * (math.Sqrt(ss)*(math.Sqrt(yy)+math.Sqrt(gg)/t.eta) - ys)
	big := (ys+2*sigma)*(ys+2*sigma) - ss*yy
	cg := -ss / (2 * sigma)
	cs := cg / big * (-(ys+2*sigma)*yg + yy*sg)
	cy := cg / big * (-(ys+2*sigma)*sg + ss*yg)
	// θ_new − θ = c_s·s + c_g·g + c_y·y = (c_g − α·c_s − c_y)·g + c_y·∇f(θ+s), and u = θ − θ_new.
	kg, kt := float32(-(cg - alpha*cs - cy)), float32(-cy)
	if !(sigma > 0) || math.IsNaN(float64(kg)) || math.IsInf(float64(kg), 0) || math.IsNaN(float64(kt)) || math.IsInf(float64(kt), 0) {
		kg, kt = 0, 0 // degenerate model (σ = 0 or Θ underflows near a minimum): no step
	}
	for i := range slots {
		s := &slots[i]
		gt := s.G[:len(s.U)]
		for j, g := range s.U {
			s.U[j] = kg*g + kt*gt[j]
		}
	}
}

func init() {
	d := DefaultSMB()
	register("smb", map[string]string{"lr": f32(d.LR), "eta": f64(d.Eta), "c": f64(d.C)},
		func(ps []*autodiff.Var, a *argParser) (*Optimizer, error) {
			c := SMBConfig{LR: a.f32("lr"), Eta: a.f64("eta"), C: a.f64("c")}
			if a.err != nil {
				return nil, a.err
			}
			return NewSMB(ps, c)
		})
}
