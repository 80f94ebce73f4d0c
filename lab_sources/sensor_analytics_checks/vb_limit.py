# %% correct: converted from millimetres in code
MILLING_LIMIT_MM = 0.2  # course assumption (see above)
VB_LIMIT_UM = 0.3 * 1000

# %% correct: written as a float
MILLING_LIMIT_MM = 0.2
VB_LIMIT_UM = 300.0

# %% mistake: left in millimetres
MILLING_LIMIT_MM = 0.2
VB_LIMIT_UM = 0.3

# %% mistake: converted with the wrong factor (mm to µm is 1000, not 100)
MILLING_LIMIT_MM = 0.2
VB_LIMIT_UM = 0.3 * 100

# %% mistake: the milling limit converted instead of the turning one
MILLING_LIMIT_MM = 0.2
VB_LIMIT_UM = MILLING_LIMIT_MM * 1000
