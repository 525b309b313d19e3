# Converts the credit_data table of the R package modeldata to CSV (chapter 1).
#
# Run from the repository root:
#   Rscript datasets/credit/convert.R
# It needs R and the modeldata package (Debian: apt-get install r-base-core r-cran-modeldata).
# Missing values (NA) are written as empty fields; factors are written as their level names.
library(modeldata)
data(credit_data, package = "modeldata")
stopifnot(nrow(credit_data) == 4454, ncol(credit_data) == 14)
out <- file.path("datasets", "credit", "credit_data.csv")
write.csv(credit_data, out, row.names = FALSE, na = "", quote = FALSE, fileEncoding = "UTF-8")
cat(sprintf("wrote %s: %d rows x %d columns, modeldata %s\n",
            out, nrow(credit_data), ncol(credit_data), as.character(packageVersion("modeldata"))))
