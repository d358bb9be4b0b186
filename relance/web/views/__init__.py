"""Web pages. Each view parses, authorizes (CompanyView), calls one service and renders."""
