# Writes time series of installed R packages (forecast, AER, tseries) to JSON for eval/forecast.ts.
# Usage: Rscript export-series.R specs.json out.json
# specs: [{ id, pkg, name, column? }]; out: [{ id, values, start, frequency, na }] (NA written as null).
suppressMessages(library(jsonlite))
args <- commandArgs(trailingOnly = TRUE)
specs <- fromJSON(args[1], simplifyVector = FALSE)
out <- lapply(specs, function(s) {
  e <- new.env()
  data(list = s$name, package = s$pkg, envir = e)
  x <- e[[s$name]]
  if (!is.null(s$column)) x <- x[, s$column]
  v <- as.numeric(x)
  list(id = s$id, values = v, start = as.numeric(time(x)[1]), frequency = frequency(x), na = sum(is.na(v)))
})
writeLines(toJSON(out, digits = NA, na = "null", auto_unbox = TRUE), args[2])
