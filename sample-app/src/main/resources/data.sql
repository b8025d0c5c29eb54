-- Standard SQL MERGE (H2 2.x, PostgreSQL 15+): inserts the products that are missing, touches none.
MERGE INTO sample_products AS p
USING (VALUES
    (1,  'Espresso machine',       'Dual boiler, 58 mm portafilter, PID temperature control', 129900),
    (2,  'Burr grinder',           'Flat 64 mm burrs, stepless adjustment',                    54900),
    (3,  'Milk jug',               'Stainless steel, 600 ml, latte-art spout',                  2490),
    (4,  'Tamper',                 'Calibrated, 58.5 mm, 30 lb spring',                         3990),
    (5,  'Scale',                  '0.1 g resolution with a shot timer',                        6990),
    (6,  'Knock box',              'Rubber bar, dishwasher safe',                               1990),
    (7,  'Descaler',               'Citric acid, 4 doses',                                       990),
    (8,  'Cups, set of six',       'Double-walled glass, 80 ml',                                3490),
    (9,  'Cleaning tablets',       'Backflush tablets, 100 pieces',                             1490),
    (10, 'Water filter',           'Softening cartridge for the reservoir',                     1890),
    (11, 'Bottomless portafilter', '58 mm, walnut handle',                                      7490),
    (12, 'Coffee beans, 1 kg',     'Single origin, washed, medium roast',                       3290)
) AS s (id, name, description, price_cents)
ON p.id = s.id
WHEN NOT MATCHED THEN
    INSERT (id, name, description, price_cents) VALUES (s.id, s.name, s.description, s.price_cents);
