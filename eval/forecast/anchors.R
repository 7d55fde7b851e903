# The R anchors of eval/forecast.ts: forecast::ets() and forecast::auto.arima(), both with their
# defaults, refitted on ts(y[1..t], frequency = m) at every origin t, forecasting h steps.
# Usage: Rscript anchors.R tasks.json out.json
# tasks: [{ id, m, h, y, origins }] (origins 0-based: the fit sees y[0..t]);
# out:   [{ id, ets: { forecasts, models, errors, seconds }, arima: { ... } }], a failed fit's forecast null.
suppressMessages({ library(forecast); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
tasks <- fromJSON(args[1], simplifyVector = FALSE)

fit_one <- function(fitter, y, m, h) {
  t0 <- proc.time()[["elapsed"]]
  r <- tryCatch({
    f <- suppressWarnings(fitter(ts(y, frequency = m)))
    mean <- as.numeric(forecast(f, h = h)$mean)
    if (length(mean) != h || any(!is.finite(mean))) stop("non-finite forecast")
    list(mean = mean, model = tryCatch(as.character(f), error = function(e) class(f)[1]), error = "")
  }, error = function(e) list(mean = NULL, model = "", error = conditionMessage(e)))
  r$seconds <- proc.time()[["elapsed"]] - t0
  r
}

run_method <- function(fitter, y, m, h, origins) {
  fits <- lapply(origins, function(t) fit_one(fitter, y[1:(t + 1)], m, h))
  list(forecasts = lapply(fits, `[[`, "mean"), models = sapply(fits, `[[`, "model"),
       errors = sapply(fits, `[[`, "error"), seconds = sum(sapply(fits, `[[`, "seconds")))
}

out <- lapply(seq_along(tasks), function(i) {
  s <- tasks[[i]]
  y <- as.numeric(unlist(s$y)); origins <- as.integer(unlist(s$origins))
  e <- run_method(function(x) ets(x), y, s$m, s$h, origins)
  a <- run_method(function(x) auto.arima(x), y, s$m, s$h, origins)
  message(sprintf("R %d/%d %s: ets %.1fs, auto.arima %.1fs", i, length(tasks), s$id, e$seconds, a$seconds))
  list(id = s$id, ets = e, arima = a)
})
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null"), args[2])
