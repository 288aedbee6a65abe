-- Each request searches for one of a few words the seeded tickets use, in both languages.
local words = {"printer", "invoice", "router", "password", "imprimante", "facture", "routeur", "livraison", "certificat", "warranty"}
local prefix = os.getenv("PREFIX")
math.randomseed(os.time())

request = function()
  return wrk.format("GET", prefix .. words[math.random(#words)])
end
