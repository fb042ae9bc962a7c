#pragma once
// The interval of every energy reading: what each sensor cannot resolve, and
// what an estimate assumes. No torch.

#include <vector>

#include "results/record.h"

namespace effbench {

// Note [Energy uncertainty]
// Every available reading carries uncertainty_j, the half-width of an
// interval around its joules, and the terms it is made of
// (uncertainty_terms_j). Each term is a bound, or a 95% half-width, of one
// independent cause; a reading's half-width is the terms in quadrature:
//   - resolution: the counter's quantum at each end of the window, 2 x
//     quantum (RAPL 2^-16 J, NVML's counter 1 mJ); for a power integral,
//     NVML's 1 mW quantum x duration.
//   - update_period: a sensor refreshes every tau seconds, so each end of
//     the window reads a value up to tau old; the two lags lie in [0, tau]
//     and their difference in [-tau, tau]: avg power x tau (RAPL 1 ms, NVML
//     100 ms; a power integral uses the larger of tau and its sampling
//     period, since it cannot see changes between its samples).
//   - counter_vs_integral: where NVML gives both a counter and a power
//     integral of one GPU over the same window, the counter carries their
//     whole disagreement; it is the only figure that sees an error common to
//     the sensor's readings rather than to the window's ends.
//   - assumptions: an estimate (TDP x utilisation x time) is a model, not a
//     reading: package power under load can exceed TDP, idle power is not
//     zero, and utilisation is not power. We assume +-50% of the estimate
//     (kEstimateRelativeHalfWidth); no published figure bounds it better on
//     every CPU, and the label "estimated" stays beside it.
//   - idle_baseline: a net reading subtracts idle power x duration; the idle
//     power's half-width (its own reading's terms over the idle window, and
//     the 95% interval of the mean of its sampled power, in quadrature)
//     times the duration.
// Sums add half-widths in quadrature (different sensors err independently):
// a case's counted energy (counted_energy()), and energy per sample, which
// also adds the run-to-run term: the 95% interval of the mean throughput of
// the timed windows, relative, times J/sample (energy_per_sample()). Derived
// figures propagate: J per correct prediction and J per point scale with E
// and keep its relative half-width; accuracy per kWh, a / E, is asymmetric
// and takes its larger side, a / (E - u) - a / E (unbounded when u >= E);
// GQI = beta x a^alpha / log10(E) gets, to first order, GQI x u(E) / (E x
// ln 10 x log10(E)), and is unbounded when E - u(E) reaches one unit, where
// the index is undefined. Accuracy itself is taken as exact: its own
// sampling error is not an energy figure.
// Sensor terms count the window's two ends once, also for a window read in
// segments (Note [Named meter windows]): a segment starts right after the
// previous one stopped, so its first read repeats the last one's value and
// the lags of the inner ends cancel.
// A net reading's update-period term uses its gross power (net + idle): the
// sensor lags the power it reads, not the difference.
// Runs stored before intervals existed have no uncertainty_j; their figures
// are shown without one, never with a made-up one.

/// Energy quantum of a RAPL counter (Intel's and AMD's energy status unit, 2^-16 J).
inline constexpr double kRaplEnergyQuantumJ = 1.0 / 65536.0;
/// Energy quantum of NVML's total-energy counter (mJ).
inline constexpr double kNvmlEnergyQuantumJ = 0.001;
/// Power quantum of nvmlDeviceGetPowerUsage (mW).
inline constexpr double kNvmlPowerQuantumW = 0.001;
/// Half-width assumed for an estimate, as a share of it (Note [Energy uncertainty]).
inline constexpr double kEstimateRelativeHalfWidth = 0.5;

/// Sets uncertainty_j and uncertainty_terms_j of every available reading in
/// `readings` (one window's, after avg_power_w is set); a counter's
/// cross-check is looked up among them. Unavailable readings get none.
void attach_uncertainty(std::vector<EnergyReading>& readings);

/// Half-width of an idle power figure, W: `idle`'s own half-width over its
/// duration and the 95% interval of the mean of `idle_watts` (the sampled
/// power of the idle window; may be empty), in quadrature.
double idle_power_half_width_w(const EnergyReading& idle, const std::vector<double>& idle_watts);

}  // namespace effbench
