# Reference values for tests/references/psych_icc (run from this folder: Rscript make_reference.R).
# R >= 4.2 with psych and lme4 (Debian: r-base-core r-cran-psych r-cran-lme4). Writes values.json, every number at
# 17 significant digits.
#  * shrout_fleiss.csv: Shrout & Fleiss (1979) Table 2, 6 targets x 4 judges (published data);
#    psych::ICC(lmer = FALSE) -> the six ICC forms with F, df, p and the 95 % bounds (ANOVA, exact).
#  * icc_missing.csv: 30 targets x 5 raters, 29 ratings missing (synthetic: numpy seed 42, 2 decimals);
#    psych::ICC() with its default lmer = TRUE keeps incomplete targets (lme4 REML components at lme4's default
#    optimizer tolerance); the same model refitted with a tight bobyqa (rhoend = 1e-12) for the exact components.
#  * g_small.csv: 15 bodies x 8 indicators x 3 raters, 316 of 360 scores (synthetic, numpy seed 20261122);
#    crossed G study lmer(score ~ 1 + (1|body) + (1|indicator) + (1|body:indicator) + (1|rater)), tight bobyqa.
suppressPackageStartupMessages({library(psych); library(lme4)})
json <- function(x) {
  if (is.list(x)) return(paste0("{\n", paste0("  \"", names(x), "\": ", vapply(x, json, ""), collapse = ",\n"), "\n}"))
  v <- if (is.character(x)) paste0("\"", x, "\"") else if (is.integer(x)) as.character(x) else sprintf("%.17g", x)
  if (length(x) == 1) v else paste0("[", paste(v, collapse = ", "), "]")
}
forms <- c("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
icc_table <- function(r) {
  res <- r$results
  stopifnot(identical(as.character(res$type), c("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")))
  list(forms = forms, icc = res$ICC, F = res$F, df1 = res$df1, df2 = res$df2, p = res$p,
       lower = res[["lower bound"]], upper = res[["upper bound"]])
}
tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5))

sf <- read.csv("shrout_fleiss.csv")
out <- list(tool = paste0(R.version.string, "; psych ", packageVersion("psych"), "; lme4 ", packageVersion("lme4")))
# lmer = FALSE: the ANOVA mean squares, exact. (The default lmer = TRUE takes F and the bounds from lme4 REML
# components at lme4's default tolerance: 11.0272871... instead of the exact 11.0272479..., and not repeatable
# past ~1e-9 from run to run.)
out$shrout_fleiss <- icc_table(ICC(sf, lmer = FALSE))

x <- read.csv("icc_missing.csv")
stopifnot(sum(is.na(x)) == 29)
out$icc_missing_psych <- icc_table(ICC(x))
long <- data.frame(values = unlist(x), items = rep(colnames(x), each = nrow(x)), id = rep(paste0("S", seq_len(nrow(x))), ncol(x)))
m <- lmer(values ~ 1 + (1 | id) + (1 | items), long, na.action = na.omit, REML = TRUE, control = tight)
vc <- as.data.frame(VarCorr(m))
out$icc_missing_lme4 <- list(id = vc$vcov[vc$grp == "id"], items = vc$vcov[vc$grp == "items"],
                             residual = vc$vcov[vc$grp == "Residual"], reml_criterion = as.numeric(REMLcrit(m)),
                             n = as.integer(nobs(m)))

g <- read.csv("g_small.csv")
stopifnot(nrow(g) == 316)
g$target <- paste(g$body, g$indicator)
mg <- lmer(score ~ 1 + (1 | body) + (1 | indicator) + (1 | target) + (1 | rater), g, REML = TRUE, control = tight)
vg <- as.data.frame(VarCorr(mg))
out$g_small_lme4 <- list(body = vg$vcov[vg$grp == "body"], indicator = vg$vcov[vg$grp == "indicator"],
                         body_indicator = vg$vcov[vg$grp == "target"], rater = vg$vcov[vg$grp == "rater"],
                         residual = vg$vcov[vg$grp == "Residual"], reml_criterion = as.numeric(REMLcrit(mg)))
txt <- paste0("{\n", paste0("\"", names(out), "\": ", vapply(out, json, ""), collapse = ",\n"), "\n}\n")
writeLines(txt, "values.json", sep = "")
