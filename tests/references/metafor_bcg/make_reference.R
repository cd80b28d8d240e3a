# Reference values for tests/references/metafor_bcg (run from this folder: Rscript make_reference.R).
# R >= 4.2 with metafor (Debian: r-base-core r-cran-metafor). Writes bcg.csv (metafor's dat.bcg: 13 BCG vaccine
# trials, Colditz et al. 1994) and values.json (every number at 17 significant digits).
# Log risk ratios by escalc(measure = "RR"); random-effects models by rma() with REML, DL and PM, and the
# Hartung-Knapp variant of REML (test = "knha") and its ad hoc form (test = "adhoc", Knapp & Hartung 2003: the
# variance factor at least 1), also on a pair of provinces that agree by chance ("pair": 5 and 5.05, each SE 3),
# where the two differ. metafor agrees to ~1e-9 only with tight iteration control.
suppressPackageStartupMessages(library(metafor))
json <- function(x) {
  if (is.list(x)) return(paste0("{\n", paste0("  \"", names(x), "\": ", vapply(x, json, ""), collapse = ",\n"), "\n}"))
  if (is.character(x)) return(paste0("\"", x, "\""))
  v <- if (is.integer(x)) as.character(x) else sprintf("%.17g", x)
  if (length(x) == 1) v else paste0("[", paste(v, collapse = ", "), "]")
}
bcg <- dat.bcg[, c("trial", "author", "year", "tpos", "tneg", "cpos", "cneg")]
write.csv(bcg, "bcg.csv", row.names = FALSE, fileEncoding = "UTF-8")
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = read.csv("bcg.csv"))
tight <- list(threshold = 1e-12, tol = 1e-12, maxiter = 1000)
one <- function(method, test = "z", data = dat) {
  r <- rma(yi, vi, data = data, method = method, test = test, control = tight)
  p <- predict(r)
  list(estimate = as.numeric(r$beta), se = r$se, ci_low = r$ci.lb, ci_high = r$ci.ub, tau2 = r$tau2,
       i2 = r$I2, h2 = r$H2, q = r$QE, k = as.integer(r$k), pi_low = p$pi.lb, pi_high = p$pi.ub, p_value = r$pval)
}
out <- list(tool = paste0(R.version.string, "; metafor ", packageVersion("metafor"),
                          "; rma(yi, vi, control = list(threshold = 1e-12, tol = 1e-12))"),
            yi = as.numeric(dat$yi), vi = as.numeric(dat$vi))
for (m in c("REML", "DL", "PM")) out[[m]] <- one(m)
out[["REML_knha"]] <- one("REML", "knha")
out[["REML_adhoc"]] <- one("REML", "adhoc")
pair <- data.frame(yi = c(5, 5.05), vi = c(9, 9))
out[["pair_knha"]] <- one("REML", "knha", pair)
out[["pair_adhoc"]] <- one("REML", "adhoc", pair)
txt <- paste0("{\n", paste0("\"", names(out), "\": ", vapply(out, json, ""), collapse = ",\n"), "\n}\n")
writeLines(txt, "values.json", sep = "")
