# %% correct: math written with the diffusivity inlined and the diameter in metres
def normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k, absorptivity=1.0):
    d_m = np.asarray(beam_d_um, float) / 1e6
    v_m_s = np.asarray(speed_mm_s, float) / 1000
    radius = d_m / 2
    diffusivity = np.asarray(k_w_mk, float) / (np.asarray(density_kg_m3, float) * np.asarray(cp_j_kgk, float))
    denominator = np.pi * density_kg_m3 * cp_j_kgk * melting_k * np.sqrt(diffusivity * v_m_s * radius ** 3)
    return absorptivity * np.asarray(power_w, float) / denominator

# %% correct: the course's helper
def normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k, absorptivity=1.0):
    return am.normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k,
                                  absorptivity=absorptivity)

# %% mistake: speed left in mm/s
def normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k, absorptivity=1.0):
    sigma = np.asarray(beam_d_um, float) * 1e-6 / 2
    alpha = k_w_mk / (density_kg_m3 * cp_j_kgk)
    return absorptivity * power_w / (np.pi * density_kg_m3 * cp_j_kgk * melting_k * np.sqrt(alpha * speed_mm_s * sigma**3))

# %% mistake: beam diameter used as the radius
def normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k, absorptivity=1.0):
    v = np.asarray(speed_mm_s, float) * 1e-3
    sigma = np.asarray(beam_d_um, float) * 1e-6
    alpha = k_w_mk / (density_kg_m3 * cp_j_kgk)
    return absorptivity * power_w / (np.pi * density_kg_m3 * cp_j_kgk * melting_k * np.sqrt(alpha * v * sigma**3))

# %% mistake: absorptivity ignored
def normalised_enthalpy(power_w, speed_mm_s, beam_d_um, density_kg_m3, cp_j_kgk, k_w_mk, melting_k, absorptivity=1.0):
    v = np.asarray(speed_mm_s, float) * 1e-3
    sigma = np.asarray(beam_d_um, float) * 1e-6 / 2
    alpha = k_w_mk / (density_kg_m3 * cp_j_kgk)
    return power_w / (np.pi * density_kg_m3 * cp_j_kgk * melting_k * np.sqrt(alpha * v * sigma**3))
