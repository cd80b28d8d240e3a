# Reference values for tests/references/mpdta (run from this folder: Rscript make_reference.R, then
# ../../../.venv/bin/python make_reference_diffdiff.py, which adds the diff-diff section to values.json).
# R >= 4.2 with sandwich (Debian: r-base-core r-cran-sandwich).
#
# Imputation estimator (Borusyak, Jaravel & Spiess 2024) by plain least squares:
#   1. lm(lemp ~ factor(countyreal) + factor(year)) on the untreated county-years
#      (never-treated counties, and treated counties before first.treat);
#   2. each treated county-year's effect = lemp - its fitted untreated value;
#   3. ATT = mean of the effects; event time h = year - first.treat, means for h = 0..3.
# Pre-trend test as diff-diff 3.13 ImputationDiD.pretrend_test (BJS eq. 9): on the untreated
# county-years, lemp on lead dummies 1[year - first.treat = h] for every pre-period h except the
# reference h = -1, plus county and year effects; CR1 covariance clustered by county with
# G/(G-1) * (n-1)/(n-k), k = number of leads + number of years (county effects are nested in the
# county clusters and not counted; the absorbed constant counts once); Wald F = g' V^-1 g / q on
# F(q, G-1), G = counties in the untreated sample.
suppressPackageStartupMessages(library(sandwich))
# JSON by hand: every number at 17 significant digits (round-trips a double exactly)
json <- function(x) {
  if (is.list(x)) return(paste0("{\n", paste0("  \"", names(x), "\": ", vapply(x, json, ""), collapse = ",\n"), "\n}\n"))
  if (is.character(x)) return(paste0("\"", x, "\""))
  v <- if (is.integer(x)) as.character(x) else sprintf("%.17g", x)
  if (length(x) == 1) v else paste0("[", paste(v, collapse = ", "), "]")
}
d <- read.csv("mpdta.csv")
stopifnot(nrow(d) == 2500, length(unique(d$countyreal)) == 500)
d$treated <- d$first.treat > 0 & d$year >= d$first.treat
u <- d[!d$treated, ]
fit <- lm(lemp ~ factor(countyreal) + factor(year), data = u)
tr <- d[d$treated, ]
tr$tau <- tr$lemp - predict(fit, newdata = tr)
tr$h <- tr$year - tr$first.treat
att <- mean(tr$tau)
es <- tapply(tr$tau, tr$h, mean)
es_n <- tapply(tr$tau, tr$h, length)

# leads
u$h <- ifelse(u$first.treat > 0, u$year - u$first.treat, NA)
leads <- sort(unique(u$h[!is.na(u$h) & u$h < -1]))
for (h in leads) u[[paste0("lead_m", -h)]] <- as.numeric(!is.na(u$h) & u$h == h)
lead_names <- paste0("lead_m", -leads)
f2 <- as.formula(paste("lemp ~", paste(lead_names, collapse = " + "), "+ factor(countyreal) + factor(year)"))
m2 <- lm(f2, data = u)
g <- coef(m2)[lead_names]
v0 <- vcovCL(m2, cluster = ~countyreal, type = "HC0", cadjust = TRUE)[lead_names, lead_names]  # G/(G-1) only
n <- nrow(u); G <- length(unique(u$countyreal)); q <- length(leads)
k <- q + length(unique(u$year))
V <- v0 * (n - 1) / (n - k)
wald <- as.numeric(t(g) %*% solve(V, g))
F <- wald / q
p <- pf(F, q, G - 1, lower.tail = FALSE)

# two-way FE (a variance-weighted average, not the ATT): lemp on the under-treatment dummy with county and year
# effects on all 2,500 county-years; CR1 clustered by county counting only the effects not nested in the clusters:
# G/(G-1) * (n-1)/(n-k), k = 1 + (years - 1)
d$D <- as.numeric(d$treated)
m3 <- lm(lemp ~ D + factor(countyreal) + factor(year), data = d)
n3 <- nrow(d); G3 <- length(unique(d$countyreal)); k3 <- 1 + (length(unique(d$year)) - 1)
twfe_se <- sqrt(vcovCL(m3, cluster = ~countyreal, type = "HC0", cadjust = TRUE)["D", "D"] * (n3 - 1) / (n3 - k3))

out <- list(
  tool = paste0(R.version.string, "; stats::lm; sandwich ", packageVersion("sandwich")),
  att = att,
  n_treated = nrow(tr),
  event_time = as.integer(names(es)),
  event_estimate = as.numeric(es),
  event_n = as.integer(es_n),
  leads = as.integer(leads),
  lead_estimate = as.numeric(g),
  lead_se = as.numeric(sqrt(diag(V))),
  pretrend_f = F, pretrend_df1 = as.integer(q), pretrend_df2 = as.integer(G - 1), pretrend_p = p,
  n_untreated = as.integer(n), clusters = as.integer(G),
  twfe_estimate = as.numeric(coef(m3)["D"]), twfe_se = twfe_se
)
# values.json: this script writes the "r_lm" section; make_reference_diffdiff.py then adds "diff_diff"
writeLines(paste0("{\n\"r_lm\": ", json(out), "}\n"), "values.json", sep = "")
