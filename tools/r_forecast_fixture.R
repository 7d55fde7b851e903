# Reference results from R's forecast package for src/tasks/forecast/stats (run live by its tests).
# Usage: Rscript tools/r_forecast_fixture.R job.json result.json
# job: { series: [{ name, y?, dataset?, m, h, holdout, models: ["MAdM", ...], auto, theta, decompose }],
#        admissible: [[alpha, beta|null, gamma|null, phi|null, m], ...] }
# A series gives its values in y, or names one of forecast's own data sets (gas, woolyrnq, wineind) in dataset;
# with holdout the last h values are kept out of every fit. The result echoes the whole series as y.
suppressPackageStartupMessages({ library(forecast); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
job <- fromJSON(args[1], simplifyVector = TRUE, simplifyDataFrame = FALSE)

one_fit <- function(fit, h) {
  fc <- as.numeric(forecast(fit, h = h)$mean)
  list(method = fit$method, loglik = fit$loglik, aic = fit$aic, aicc = fit$aicc, bic = fit$bic,
       sigma2 = fit$sigma2, par = as.list(fit$par), initstate = as.numeric(fit$initstate),
       fitted = as.numeric(fitted(fit)), mean = fc)
}

out <- list(series = lapply(job$series, function(s) {
  y <- if (!is.null(s$dataset)) as.numeric(get(s$dataset, envir = asNamespace("forecast"))) else as.numeric(s$y)
  res <- list(name = s$name, y = y)
  if (isTRUE(s$holdout)) y <- head(y, length(y) - s$h)
  y <- ts(y, frequency = s$m)
  res$fits <- lapply(s$models, function(code) {
    model <- paste0(substr(code, 1, 2), substr(code, nchar(code), nchar(code)))
    damped <- grepl("d", code)
    t0 <- proc.time()[["elapsed"]]
    fit <- ets(y, model = model, damped = damped)
    secs <- proc.time()[["elapsed"]] - t0
    c(list(code = code, seconds = secs), one_fit(fit, s$h))
  })
  if (isTRUE(s$auto)) {
    t0 <- proc.time()[["elapsed"]]
    fit <- ets(y)
    secs <- proc.time()[["elapsed"]] - t0
    res$auto <- c(list(seconds = secs), one_fit(fit, s$h))
  }
  if (isTRUE(s$theta)) {
    res$theta <- as.numeric(thetaf(y, h = s$h)$mean)
    # without the seasonal adjustment: what recur's Theta does for a series that is not positive
    res$theta_plain <- as.numeric(thetaf(ts(as.numeric(y), frequency = 1), h = s$h)$mean)
  }
  if (isTRUE(s$decompose)) res$figure <- as.numeric(decompose(y, type = "multiplicative")$figure)
  res
}))
adm <- job$admissible
if (is.matrix(adm)) adm <- lapply(seq_len(nrow(adm)), function(i) adm[i, ])
out$admissible <- lapply(adm, function(a) {
  nz <- function(v) if (is.null(v) || is.na(v)) NULL else v
  forecast:::admissible(a[[1]], nz(a[[2]]), nz(a[[3]]), nz(a[[4]]), a[[5]]) == 1
})
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null"), args[2])
