# Times forecast::ets() (automatic selection, defaults) on each series of a JSON file, after a warm-up fit:
# best of `reps` runs, in seconds, the fit alone (R's start-up and the JSON reading excluded).
# Usage: Rscript ets-time.R IN.json OUT.json REPS
suppressPackageStartupMessages({ library(forecast); library(jsonlite) })
a <- commandArgs(trailingOnly = TRUE)
series <- fromJSON(a[1], simplifyVector = FALSE)
reps <- as.integer(a[3])
out <- lapply(series, function(s) {
  y <- ts(unlist(s$values), frequency = s$m)
  fit <- ets(y)
  times <- sapply(seq_len(reps), function(i) system.time(ets(y))[["elapsed"]])
  list(id = s$id, model = fit$method, seconds = min(times), mean = as.numeric(forecast(fit, h = s$h)$mean))
})
write(toJSON(out, auto_unbox = TRUE, digits = NA), a[2])
